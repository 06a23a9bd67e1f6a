#include "pase/cost/pricing.hpp"

#include <algorithm>
#include <set>

#include "pase/cluster/hardware_costs.hpp"

namespace pase {

double paper_cost(const Work& work, const CostMath& math) {
  double total = 0.0;
  std::size_t g = 0, s = 0, c = 0, h = 0;
  for (const Work::Item item : work.order) {
    switch (item) {
      case Work::Item::gemm: {
        const GemmWork& x = work.gemms[g++];
        if (x.hardware_only) break;
        total += math.gemm(x.batches, x.m, x.n, x.k, x.cm, x.cn, x.ck, x.pointwise_ops);
        break;
      }
      case Work::Item::stream:
        total += work.streams[s++].paper_flop;
        break;
      case Work::Item::collective: {
        const CollectiveWork& x = work.collectives[c++];
        const double one = x.kind == CollectiveKind::all_reduce ? math.all_reduce(x.paper_words, x.paper_procs)
                                                                : math.words(x.paper_words);
        total += x.paper_times == 1.0 ? one : x.paper_times * one;
        break;
      }
      case Work::Item::halo: {
        const HaloWork& x = work.halos[h++];
        total += math.halo(x.b, x.c, x.h, x.w, x.h_split, x.w_split, x.r, x.s);
        break;
      }
    }
  }
  return total;
}

HardwarePricing::HardwarePricing(cluster::HardwareCluster cluster, cluster::Precision precision)
    : cluster_(std::move(cluster)), precision_(precision), bytes_per_element_(cluster::bytes_per_element(precision)) {}

int HardwarePricing::nodes_spanned(const Config& config, const Dims& dims) const {
  const std::int64_t per_node = cluster_.devices_per_node;
  std::vector<std::int64_t> stride(config.size(), 1);
  for (std::size_t i = config.size(); i-- > 1;) stride[i - 1] = stride[i] * config[i];
  // The members of the group of device 0: offsets sum k_d * stride_d, k_d < config[d].
  std::vector<bool> in_group(config.size(), false);
  std::vector<std::int64_t> offsets{0};
  for (auto d : dims) {
    in_group[d] = true;
    std::vector<std::int64_t> next;
    next.reserve(offsets.size() * static_cast<std::size_t>(config[d]));
    for (auto o : offsets)
      for (std::int64_t k = 0; k < config[d]; ++k) next.push_back(o + k * stride[d]);
    offsets = std::move(next);
  }
  // Every group is the group of device 0 shifted to its first device b, which the other dimensions
  // set. It spans the nodes of (b mod per_node) + offsets, shifted by b / per_node nodes; so the
  // groups differ only by that residue. A group that does not start a node (a split of 6 of 8
  // devices: devices 6..11) can straddle two nodes although device 0's does not, and the
  // collective waits for its slowest group: the most nodes any group spans.
  std::set<std::int64_t> residues{0};
  for (std::size_t d = 0; d < config.size(); ++d) {
    if (in_group[d] || config[d] == 1) continue;
    std::set<std::int64_t> next;
    for (auto r : residues)
      for (std::int64_t k = 0; k < config[d]; ++k) next.insert((r + k * stride[d]) % per_node);
    residues = std::move(next);
  }
  const std::int64_t last = *std::max_element(offsets.begin(), offsets.end());
  int most = 1;
  std::vector<char> seen;
  for (auto r : residues) {
    if (r + last < per_node) continue;  // inside one node
    seen.assign(static_cast<std::size_t>((r + last) / per_node + 1), 0);
    int nodes = 0;
    for (auto o : offsets) {
      char& s = seen[static_cast<std::size_t>((r + o) / per_node)];
      nodes += s == 0;
      s = 1;
    }
    most = std::max(most, nodes);
  }
  return most;
}

int HardwarePricing::devices_used_per_node(const Config& config) const {
  return static_cast<int>(std::min<std::int64_t>(cluster_.devices_per_node, product(config)));
}

cluster::Tier HardwarePricing::network_tier(int senders) const {
  cluster::Tier tier = cluster_.inter_node;
  tier.devices_sharing_link = std::max(1, std::min(senders, cluster_.inter_node.devices_sharing_link));
  return tier;
}

double HardwarePricing::weighted_all_reduce_s(double bytes, int group, int nodes, int senders, double intra_weight,
                                              double inter_weight) const {
  if (group <= 1 || bytes <= 0) return 0.0;
  if (nodes <= 1) return intra_weight * cluster::ring_all_reduce_s(cluster_.intra_node, bytes, group);
  const int local = std::max(1, group / nodes);
  // Reduce-scatter and all-gather inside each node (together one ring all-reduce), then each
  // device's 1 / local share all-reduced across the nodes through the node's shared links.
  return intra_weight * cluster::ring_all_reduce_s(cluster_.intra_node, bytes, local) +
         inter_weight * cluster::ring_all_reduce_s(network_tier(senders), bytes / local, nodes);
}

double HardwarePricing::all_reduce_s(double bytes, int group, int nodes, int senders) const {
  return weighted_all_reduce_s(bytes, group, nodes, senders, 1.0, 1.0);  // x * 1.0 is x: the same bits
}

double HardwarePricing::all_reduce_compute_loss_s(double bytes, int group, int nodes, int senders) const {
  const double intra = cluster_.intra_node.overlap_compute_loss, inter = cluster_.inter_node.overlap_compute_loss;
  if (intra <= 0 && inter <= 0) return 0.0;
  return weighted_all_reduce_s(bytes, group, nodes, senders, intra, inter);
}

double HardwarePricing::all_reduce_latency_s(int group, int nodes) const {
  if (group <= 1) return 0.0;
  if (nodes <= 1) return 2.0 * (group - 1) * cluster_.intra_node.latency_s;
  const int local = std::max(1, group / nodes);
  return 2.0 * (local - 1) * cluster_.intra_node.latency_s + 2.0 * (nodes - 1) * cluster_.inter_node.latency_s;
}

double HardwarePricing::relayout_s(double elements, double sources, double source_procs, double target_procs) const {
  if (elements <= 0) return 0.0;
  const double per_node = cluster_.devices_per_node;
  const bool inside = std::max(source_procs, target_procs) <= per_node ||
                      (target_procs <= source_procs && sources <= per_node);
  const cluster::Tier tier =
      inside ? cluster_.intra_node
             : network_tier(static_cast<int>(std::min(per_node, std::max(source_procs, target_procs))));
  const double messages = std::max(1.0, sources - 1.0);
  const double one_way = messages * tier.latency_s + elements * bytes_per_element_ / tier.achieved_bytes_per_s();
  return 2.0 * one_way;  // the tensor forward, its gradient backward
}

namespace {

cluster::OpKind op_kind(ComputeKind kind) {
  return kind == ComputeKind::convolution ? cluster::OpKind::kConvolution : cluster::OpKind::kGemm;
}

int group_size(const Config& config, const Dims& dims) {
  std::int64_t g = 1;
  for (auto d : dims) g *= config[d];
  return static_cast<int>(g);
}

}  // namespace

LayerTime HardwarePricing::price(const Work& work, const Config& config) const {
  LayerTime t;
  const double bpe = bytes_per_element_;
  const int senders = devices_used_per_node(config);
  auto reduce = [&](double elements, const Dims& dims) {
    return all_reduce_s(elements * bpe, group_size(config, dims), nodes_spanned(config, dims), senders);
  };
  // A weight-gradient all-reduce: its time, its latency part and its bytes, which the step
  // evaluation needs to fuse gradients into buckets (src/cost/step_time.cpp).
  auto gradient = [&](double elements, const Dims& dims, double times) {
    const int group = group_size(config, dims);
    const double bytes = elements * bpe;
    if (group <= 1 || bytes <= 0) return;
    const int nodes = nodes_spanned(config, dims);
    t.gradient_s += times * all_reduce_s(bytes, group, nodes, senders);
    t.gradient_latency_s += times * all_reduce_latency_s(group, nodes);
    t.gradient_compute_loss_s += times * all_reduce_compute_loss_s(bytes, group, nodes, senders);
    t.gradient_bytes += times * bytes;
  };
  auto memory_pass_s = [&](double bytes) {
    return cluster::roofline_s(cluster_, precision_, cluster::OpKind::kGemm, 0.0, bytes);
  };
  for (const GemmWork& x : work.gemms) {
    if (x.paper_only) continue;
    // One kernel call: a batched GEMM of `batches`, or one time step of a sequential operator.
    const double calls = x.steps > 1 ? x.batches * x.steps : 1.0;
    const double rows = x.m / x.steps, batch = x.steps > 1 ? 1.0 : x.batches;
    const double flop = 2.0 * batch * rows * x.n * x.k;
    const double bytes = batch * (rows * x.k + x.k * x.n + rows * x.n) * bpe;
    const double gemm_s = calls * cluster::roofline_s(cluster_, precision_, op_kind(x.kind), flop, bytes, rows);
    // Each element-wise op: forward reads and writes the output, backward reads two and writes one.
    const double pointwise_s = calls * x.pointwise_ops * 2.5 * memory_pass_s(2.0 * batch * rows * x.n * bpe);
    t.compute_s += 3.0 * gemm_s + pointwise_s;
    t.backward_s += 2.0 * gemm_s + pointwise_s * 0.6;
    // Forward output over k and input gradient over n, once a step; weight gradient over m once.
    t.communication_s += x.steps * (reduce(x.batches * x.m / x.steps * x.n, x.k_dims) +
                                    reduce(x.batches * x.m / x.steps * x.k, x.n_dims));
    if (x.weight_gradient)
      gradient(x.batches * x.n * x.k, x.m_dims, 1.0);
    else
      t.communication_s += reduce(x.batches * x.n * x.k, x.m_dims);
  }
  for (const StreamWork& x : work.streams) {
    if (x.elements <= 0 || x.passes <= 0) continue;
    // A pass is one kernel reading or writing every element once; a read and a write make one kernel.
    const double kernel_s = memory_pass_s(2.0 * x.elements * bpe);
    const double s = x.passes / 2.0 * kernel_s;
    t.compute_s += s;
    t.backward_s += s * 0.5;
  }
  for (const CollectiveWork& x : work.collectives) {
    if (x.elements <= 0 || x.times <= 0) continue;
    double s = 0;
    if (x.kind == CollectiveKind::all_reduce) {
      if (x.gradient) {
        gradient(x.elements, x.group, x.times);
        continue;
      }
      s = reduce(x.elements, x.group);
    } else {
      if (group_size(config, x.group) <= 1) continue;
      const int nodes = nodes_spanned(config, x.group);
      s = cluster::transfer_s(nodes > 1 ? network_tier(senders) : cluster_.intra_node, x.elements * bpe);
    }
    (x.gradient ? t.gradient_s : t.communication_s) += x.times * s;
  }
  for (const HaloWork& x : work.halos) {
    const double h = x.h_split ? x.h + x.r : x.h, w = x.w_split ? x.w + x.s : x.w;
    const double elements = (h * w - x.h * x.w) * x.b * x.c;
    if (elements <= 0) continue;
    const int nodes = nodes_spanned(config, x.group);
    // The halo forward and its gradient backward.
    t.communication_s +=
        2.0 * cluster::transfer_s(nodes > 1 ? network_tier(senders) : cluster_.intra_node, elements * bpe);
  }
  return t;
}

}  // namespace pase
