#pragma once
// A sweep spec (jobs/README.md): model files with parameter overrides, and axes (procs, flops,
// bw, cluster presets, model parameters) combined as a product, with zip groups varying together.
// Every error is one std::invalid_argument line naming the spec file, its line, the field and the fix.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pase/cost/memory.hpp"
#include "pase/model/model_problem.hpp"
#include "pase/model/expression.hpp"
#include "pase/pipeline/search_settings.hpp"
#include "pase/search/blocks.hpp"
#include "pase/search/dominance.hpp"
#include "pase/search/order.hpp"
#include "pase/cluster/cluster_presets.hpp"
#include "pase/cluster/hardware_cluster.hpp"

namespace pase {

enum class AxisKind { procs, flops, bw, cluster, param };

struct Axis {
  std::string name;
  AxisKind kind = AxisKind::param;
  std::vector<std::int64_t> integers;  // procs and model parameters
  std::vector<double> numbers;         // flops (TFLOP/s) and bw (GB/s)
  std::vector<std::string> names;      // cluster presets

  std::size_t size() const;
};

struct SpecModel {
  std::string file;                    // as resolved (relative to the spec's folder)
  std::string label;                   // the `model` column; default: the model's name
  std::vector<std::string> overrides;  // fixed "name=value" from `set`
  Parameters params;                   // the model's parameters with the fixed overrides applied
  std::vector<Axis> axes;              // this model's axes: the global ones, replaced or extended by its own
  std::vector<std::vector<int>> factors;  // groups of indices into `axes` combined as a product;
                                          // a group of several axes is a zip (they vary together)
};

struct SweepSpec {
  std::string file;
  std::string text;         // the spec file as read
  std::string name;
  std::string fingerprint;  // hash of the spec text, the model files and (if used) the cluster catalogue
  std::vector<SpecModel> models;
  std::vector<std::string> axis_names;     // every axis of any model, in order of first appearance
  std::vector<std::string> param_columns;  // model parameters reported per row: parameter axes, `set`
                                           // names and `batch`
  OrderKind order = OrderKind::greedy;
  PruneMode prune = PruneMode::automatic;  // search.prune: auto (default), dominance or none
  BlockMode blocks = BlockMode::never;     // search.blocks: none (default) or auto (search/blocks.hpp)
  StageMode stages = StageMode::none;      // search.stages: none (default) or auto (the stage search)
  ParallelEdges parallel_edges = ParallelEdges::last;
  // search.precision: the precision pase-cluster points are priced at (as pase search --precision).
  cluster::Precision precision = cluster::Precision::kFp32;
  std::optional<std::uint64_t> max_memory_bytes;
  // The devices' memory (README.md, "Device memory"): search.memory_per_device replaces a pase-cluster
  // point's capacity and is the only one of the other points (0: not checked anywhere); the recipe is
  // search.optimizer and search.training_precision (default mixed-precision Adam).
  std::optional<double> memory_per_device_bytes;
  TrainingRecipe recipe = training_recipe("adam", "mixed");
  std::optional<ClusterCatalogue> catalogue;  // loaded when a cluster axis names a jobs/clusters.json preset
  // Cluster-axis values that are pase-cluster presets or files (the hardware model), by the name given.
  std::map<std::string, cluster::HardwareCluster> hardware_clusters;
};

// `catalogue_path` overrides the spec's `clusters` field and the default catalogue.
SweepSpec load_sweep_spec(const std::string& path, const std::string& catalogue_path = "");

// Values of a list with "..." ([4, 8, ..., 1024]) or of a range mapping, exposed for tests: the
// progression from `start` values to `end` (geometric when it reaches `end` exactly, else arithmetic).
// Returns an empty vector when neither progression reaches `end`; throws std::length_error past
// limits::kMaxAxisValues values.
std::vector<double> expand_ellipsis(const std::vector<double>& start, double end);

}  // namespace pase
