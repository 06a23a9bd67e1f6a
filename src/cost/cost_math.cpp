#include "pase/cost/cost_math.hpp"

#include <algorithm>

namespace pase {

double CostMath::gemm(double batches, double m, double n, double k, double cm, double cn, double ck,
                      int pointwise_ops) const {
  double compute = m * n * k * 3.0;
  if (pointwise_ops > 0) compute += 3.0 * pointwise_ops * (m * n);
  const double communicate = all_reduce(m * n, ck) + all_reduce(m * k, cn) + all_reduce(n * k, cm);
  return batches * (compute + communicate);
}

double CostMath::halo(double b, double c, double h, double w, bool h_split, bool w_split, double r,
                      double s) const {
  const double h_with = h_split ? h + r : h;
  const double w_with = w_split ? w + s : w;
  return words((h_with * w_with - h * w) * b * c);
}

double words_needed(const std::vector<double>& source_part, const std::vector<double>& target_part,
                    double source_procs, double target_procs) {
  double needed = 1.0, shared = 1.0;
  for (std::size_t i = 0; i < target_part.size(); ++i) {
    needed *= target_part[i];
    shared *= std::min(target_part[i], source_part[i]);
  }
  if (target_procs > source_procs) shared = 0.0;
  return std::max(0.0, needed - shared);
}

}  // namespace pase
