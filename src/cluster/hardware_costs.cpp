#include "pase/cluster/hardware_costs.hpp"

#include <algorithm>
#include <stdexcept>

namespace pase::cluster {

double roofline_s(const HardwareCluster& cluster, Precision precision, OpKind kind, double flop, double bytes,
                  double rows) {
  const Device& device = cluster.device;
  const auto peak = device.peak_flop_per_s.find(precision);
  if (peak == device.peak_flop_per_s.end())
    throw std::invalid_argument("cluster " + cluster.name + " gives no peak FLOP/s for this precision");
  double compute_s = 0;
  if (flop > 0) {
    const double efficiency =
        kind == OpKind::kConvolution ? device.convolution.at(flop) : device.gemm_efficiency(flop, rows);
    compute_s = flop / (peak->second * efficiency);
  }
  const double memory_s = bytes > 0 ? bytes / (device.memory_bytes_per_s * device.memory_bound.at(bytes)) : 0.0;
  return std::max(compute_s, memory_s);
}

double transfer_s(const Tier& tier, double bytes) {
  return bytes > 0 ? tier.latency_s + bytes / tier.achieved_bytes_per_s() : 0.0;
}

double ring_all_reduce_s(const Tier& tier, double bytes, int group) {
  if (group <= 1 || bytes <= 0) return 0.0;
  const double steps = 2.0 * (group - 1);
  return steps * (tier.latency_s + bytes / group / tier.achieved_bytes_per_s());
}

double all_reduce_s(const HardwareCluster& cluster, double bytes, int group, int nodes_spanned) {
  if (nodes_spanned <= 1) return ring_all_reduce_s(cluster.intra_node, bytes, group);
  const int local = std::max(1, group / nodes_spanned);
  // Reduce-scatter and all-gather inside the node are each half a ring all-reduce.
  const double inside = ring_all_reduce_s(cluster.intra_node, bytes, local);
  Tier across = cluster.inter_node;
  across.devices_sharing_link = std::min(local, cluster.inter_node.devices_sharing_link);
  return inside + ring_all_reduce_s(across, bytes / local, nodes_spanned);
}

int nodes_spanned(int count, int stride, int devices_per_node) {
  const long long span = static_cast<long long>(count) * stride;
  if (span <= devices_per_node) return 1;
  if (stride >= devices_per_node) return count;
  return static_cast<int>((span + devices_per_node - 1) / devices_per_node);
}

double exposed_s(double communication_s, double overlappable_compute_s) {
  return std::max(0.0, communication_s - overlappable_compute_s);
}

}  // namespace pase::cluster
