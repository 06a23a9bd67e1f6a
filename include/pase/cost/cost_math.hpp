#pragma once
// The prototype's cost formulas, in FLOP, shared by the operators.

#include <vector>

namespace pase {

class CostMath {
 public:
  explicit CostMath(double flop_per_word) : r_(flop_per_word) {}

  double words(double w) const { return r_ * w; }

  // Ring all-reduce of `words` words among `procs` devices: 2 (procs - 1) chunks of words / procs.
  double all_reduce(double words, double procs) const { return r_ * (words / procs) * (2.0 * (procs - 1.0)); }

  // A (batched) GEMM of per-device size m x n x k repeated `batches` times, split cm, cn, ck ways:
  // 3 GEMMs (forward and two backward), 3 FLOP per pointwise op per output element, and the
  // all-reduces of the output (over k), the input gradient (over n) and the weight gradient (over m).
  double gemm(double batches, double m, double n, double k, double cm, double cn, double ck,
              int pointwise_ops) const;

  // Halo exchange for an r x s window over a (b, c, h, w) part of a tensor; the halo is added along
  // h (w) only when h (w) is split.
  double halo(double b, double c, double h, double w, bool h_split, bool w_split, double r, double s) const;

 private:
  double r_;
};

// Words a target device must receive to hold its part of a tensor held by the source's parts:
// what it needs minus what it already has (nothing when the target uses more devices).
double words_needed(const std::vector<double>& source_part, const std::vector<double>& target_part,
                    double source_procs, double target_procs);

}  // namespace pase
