#pragma once
// The two pricings of a layer's Work (pase/cost/work.hpp): the paper's FLOP count, and the hardware
// model's seconds on a cluster of nodes at a precision (src/cluster/README.md).

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/cost/configs.hpp"
#include "pase/cost/cost_math.hpp"
#include "pase/cost/work.hpp"

namespace pase {

// The prototype's cost in FLOP, summed in the prototype's order (bit-identical to it).
double paper_cost(const Work& work, const CostMath& math);

// One configuration's time on the hardware, in seconds, split the way the step-time evaluation
// needs it.
struct LayerTime {
  double compute_s = 0;        // forward and backward kernels
  double backward_s = 0;       // the backward part of compute_s (what gradient all-reduces hide behind)
  double communication_s = 0;  // collectives the computation waits for
  double gradient_s = 0;       // weight-gradient all-reduces, which run behind the backward pass
  double gradient_latency_s = 0;  // the per-message latency part of gradient_s (paid once a bucket)
  double gradient_bytes = 0;      // bytes a device all-reduces for its weight gradients (0: not known)
  // The compute time gradient_s takes from the device when it runs behind the backward pass
  // (cluster::Tier::overlap_compute_loss; 0 on links that cost the device nothing).
  double gradient_compute_loss_s = 0;
  double total_s() const { return compute_s + communication_s + gradient_s; }
};

class HardwarePricing {
 public:
  HardwarePricing(cluster::HardwareCluster cluster, cluster::Precision precision);

  const cluster::HardwareCluster& cluster() const { return cluster_; }
  cluster::Precision precision() const { return precision_; }
  double bytes_per_element() const { return bytes_per_element_; }

  LayerTime price(const Work& work, const Config& config) const;

  // Nodes the device group of `dims` spans when configuration `config` is laid out node-major
  // (device d on node d / devices_per_node, the configuration's last dimension innermost).
  int nodes_spanned(const Config& config, const Dims& dims) const;
  // Devices of one node that take part in a step: min(devices per node, devices the layout uses).
  int devices_used_per_node(const Config& config) const;

  // An all-reduce of `bytes` per device among `group` devices on `nodes` nodes, with `senders`
  // devices of each node crossing the network at once (they share its links).
  double all_reduce_s(double bytes, int group, int nodes, int senders) const;
  // The compute time the same all-reduce takes from each device when it runs behind computation:
  // each tier's part of it times that tier's overlap_compute_loss.
  double all_reduce_compute_loss_s(double bytes, int group, int nodes, int senders) const;
  // The latency part of all_reduce_s: what the same all-reduce costs with no bytes.
  double all_reduce_latency_s(int group, int nodes) const;
  // A re-layout between two layouts of a tensor, forward and backward: each device receives `elements`
  // from `sources` devices (the parts of the source layout that its target part covers).
  double relayout_s(double elements, double sources, double source_procs, double target_procs) const;

 private:
  const cluster::Tier& tier_for(int nodes) const;
  cluster::Tier network_tier(int senders) const;
  // all_reduce_s with each tier's part weighted: (1, 1) is its time, the tiers' losses its compute loss.
  double weighted_all_reduce_s(double bytes, int group, int nodes, int senders, double intra_weight,
                               double inter_weight) const;

  cluster::HardwareCluster cluster_;
  cluster::Precision precision_;
  double bytes_per_element_;
};

}  // namespace pase
