#pragma once
// The points of a sweep: the product of each model's axes, numbered in a fixed order (model by model,
// the first axis varying slowest), and their groups: points that share a model, its parameter values
// and the device count have the same problem structure, so they can share one ordering and plan.

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

std::vector<SweepPoint> enumerate_points(const SweepSpec& spec);

// Groups of the given points (indices into `points`), largest device count first (the costliest
// searches start first), then in order of their first point.
std::vector<PointGroup> group_points(const std::vector<SweepPoint>& points, const std::vector<std::uint64_t>& which);

// The settings of `pase search` that computes the same point (build_settings of the point's request).
// The search memory cap: `max_memory_bytes` (0: no limit), else the spec's search.max_memory, else
// the default for one rank on the node. Device memory as pase search checks it (the pase-cluster's
// capacity, or search.memory_per_device); the DP runs on one thread.
SearchSettings search_settings(const SweepSpec& spec, const SweepPoint& point,
                               std::optional<std::uint64_t> max_memory_bytes = std::nullopt);

}  // namespace pase
