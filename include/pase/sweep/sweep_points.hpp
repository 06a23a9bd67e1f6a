#pragma once
// The points of a sweep: the product of each model's axes, numbered in a fixed order (model by model,
// the first axis varying slowest), and their groups: points that share a model, its parameter values
// and the device count have the same problem structure, so they can share one ordering and plan.
//
// Nothing is stored per point: a point is computed from its index (mixed radix over the model's
// factors), so a sweep of 10^8 points needs no more memory than one of ten.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pase/pipeline/search_pipeline.hpp"
#include "pase/sweep/sweep_spec.hpp"

namespace pase {

struct SweepPoint {
  std::uint64_t index = 0;
  int model = 0;                       // index into SweepSpec::models
  std::int64_t procs = 8;              // as `pase search`'s defaults when the spec has no such axis
  Cluster cluster;                     // flops and bw
  std::string cluster_name;            // the preset, when the spec has a cluster axis
  std::optional<cluster::HardwareCluster> hardware;  // a pase-cluster on the cluster axis: the hardware model
  std::vector<std::string> overrides;  // "name=value", sorted by name: the `set` values and parameter axes
};

struct PointGroup {
  int model = 0;
  std::int64_t procs = 0;
  std::vector<std::string> overrides;
  std::vector<std::uint64_t> points;  // ascending point indices
};

class SweepPoints {
 public:
  // `spec` must outlive this object.
  explicit SweepPoints(const SweepSpec& spec);

  const SweepSpec& spec() const { return *spec_; }
  std::uint64_t size() const { return first_.back(); }
  // Throws std::out_of_range for an index >= size().
  SweepPoint at(std::uint64_t index) const;
  // The point's group: equal for two points exactly when they have the same model, `procs` and
  // overrides. Groups are numbered 0 .. group_count() - 1.
  std::uint64_t group_of(std::uint64_t index) const;
  std::uint64_t group_count() const { return group_first_.back(); }

 private:
  // A factor (an axis, or a zip of axes) of one model.
  struct Factor {
    std::uint64_t size = 0;
    std::uint64_t stride = 0;  // of the point index within the model
    // Positions with the same `procs` and parameter values share a class (empty when the factor
    // has no procs or parameter axis: it does not change the group).
    std::vector<std::uint32_t> class_of;
    std::uint64_t group_stride = 0;  // of the group number within the model
  };
  int model_of(std::uint64_t index) const;

  const SweepSpec* spec_;
  std::vector<std::uint64_t> first_;        // first point of each model; the last entry is the total
  std::vector<std::uint64_t> group_first_;  // first group number of each model; the last is the total
  std::vector<std::vector<Factor>> factors_;
};

// Groups of the given points, largest device count first (the costliest searches start first), then
// in order of their first point.
std::vector<PointGroup> group_points(const SweepPoints& points, const std::vector<std::uint64_t>& which);

// The settings of `pase search` that computes the same point (build_settings of the point's request).
// The search memory cap: `max_memory_bytes` (0: no limit), else the spec's search.max_memory, else
// the default for one rank on the node. Device memory as pase search checks it (the pase-cluster's
// capacity, or search.memory_per_device); the DP runs on one thread.
SearchSettings search_settings(const SweepSpec& spec, const SweepPoint& point,
                               std::optional<std::uint64_t> max_memory_bytes = std::nullopt);

}  // namespace pase
