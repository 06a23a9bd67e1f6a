#pragma once
// The hardware cost model's formulas, in seconds: roofline compute, point-to-point transfers and
// all-reduce on the tiers a group spans, the node-major placement of a group, and overlap.

#include "pase/cluster/hardware_cluster.hpp"

namespace pase::cluster {

enum class OpKind { kGemm, kConvolution, kMemoryBound };

// max(compute at the achieved rate for this size, bytes at the achieved memory bandwidth); `rows`: a
// GEMM's per-device m, for the measured efficiency by rows (Device::gemm_efficiency; 0: square).
double roofline_s(const HardwareCluster& cluster, Precision precision, OpKind kind, double flop, double bytes,
                  double rows = 0);

// One message of `bytes` over a tier: latency + bytes / achieved bandwidth.
double transfer_s(const Tier& tier, double bytes);

// Ring all-reduce among `group` devices on one tier: 2 (g - 1) steps of bytes / g.
double ring_all_reduce_s(const Tier& tier, double bytes, int group);

// All-reduce among `group` devices lying on `nodes_spanned` nodes (group / nodes_spanned in each):
// on one node a ring on the intra-node tier; across nodes hierarchical: reduce-scatter inside each
// node, ring all-reduce of each device's 1 / local share across nodes (all local devices at once,
// sharing the node's network links), all-gather inside each node.
double all_reduce_s(const HardwareCluster& cluster, double bytes, int group, int nodes_spanned);

// Node-major placement: device d lies on node d / devices_per_node. A split of `count` ways whose
// consecutive members are `stride` devices apart (a mesh dimension, later dimensions innermost)
// spans this many nodes.
int nodes_spanned(int count, int stride, int devices_per_node);

// Communication that runs behind compute (a bucketed gradient all-reduce during the backward pass):
// the part that does not fit behind `overlappable_compute_s` is exposed.
double exposed_s(double communication_s, double overlappable_compute_s);

}  // namespace pase::cluster
