#pragma once
// What one configuration of a layer does, per device, in physical terms: its GEMMs, its memory-bound
// passes and its collectives with the configuration dimensions whose device groups they span. The
// paper model (PaperPricing) and the hardware model (HardwarePricing) are two pricings of this one
// description.
//
// Each item also carries the prototype's own count (paper_*), which differs from the physical one
// only where the prototype counts something frameworks do not do; each such place says so.

#include <cstddef>
#include <vector>

namespace pase {

// Configuration dimensions (indices into the configuration) whose splits a device group spans.
using Dims = std::vector<std::size_t>;

enum class ComputeKind { gemm, convolution };

// `batches` independent GEMMs of per-device size m x n x k, run three times (forward, input gradient,
// weight gradient), each followed by `pointwise_ops` element-wise operations on its m x n output;
// split cm, cn, ck ways, whose groups m_dims, n_dims, k_dims are. The output is all-reduced over the
// k group (forward), the input gradient over the n group and the weight gradient over the m group.
struct GemmWork {
  double batches = 1, m = 1, n = 1, k = 1, cm = 1, cn = 1, ck = 1;
  int pointwise_ops = 0;
  ComputeKind kind = ComputeKind::gemm;
  double steps = 1;             // sequential steps the m rows are processed in (an LSTM's time steps)
  bool weight_gradient = true;  // the m-group all-reduce is a weight gradient (overlappable, as DDP does)
  bool paper_only = false;      // the prototype's GEMM for an operator frameworks run otherwise
  bool hardware_only = false;   // a GEMM of how frameworks run it, in place of a paper_only one
  Dims m_dims = {}, n_dims = {}, k_dims = {};
};

// Memory-bound work: `elements` per device read or written `passes` times over forward and backward.
struct StreamWork {
  double paper_flop = 0;  // the prototype's count
  double elements = 0;
  double passes = 0;
};

enum class CollectiveKind { all_reduce, transfer };

// `times` collectives of `elements` per device among the group spanning `group` (all-reduce) or one
// point-to-point transfer of `elements` to a neighbour in that group (transfer).
struct CollectiveWork {
  CollectiveKind kind = CollectiveKind::all_reduce;
  double paper_words = 0;   // the prototype's count (words per device)
  double paper_procs = 1;   // the prototype's group size (all-reduce only)
  double paper_times = 1;
  double elements = 0;      // physical elements per device
  double times = 1;
  bool gradient = false;    // a weight gradient's all-reduce: runs behind the backward pass
  Dims group = {};
};

// A halo exchange for an r x s window over a (b, c, h, w) part, added along h (w) when split.
struct HaloWork {
  double b = 0, c = 0, h = 0, w = 0, r = 1, s = 1;
  bool h_split = false, w_split = false;
  Dims group = {};
};

struct Work {
  std::vector<GemmWork> gemms;
  std::vector<StreamWork> streams;
  std::vector<CollectiveWork> collectives;
  std::vector<HaloWork> halos;
  // The order the prototype sums the items in (its floating-point sums are kept bit for bit).
  enum class Item { gemm, stream, collective, halo };
  std::vector<Item> order;

  void add(GemmWork g) { gemms.push_back(std::move(g)); order.push_back(Item::gemm); }
  void add(StreamWork s) { streams.push_back(s); order.push_back(Item::stream); }
  void add(CollectiveWork c) { collectives.push_back(std::move(c)); order.push_back(Item::collective); }
  void add(HaloWork h) { halos.push_back(std::move(h)); order.push_back(Item::halo); }
};

}  // namespace pase
