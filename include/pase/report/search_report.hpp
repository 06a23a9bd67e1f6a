#pragma once
// What a search found, in the user's terms: per layer configuration and cost, the total, the step
// time, and the same for plain data parallelism. The search itself is the pipeline's
// (pase/pipeline/search_pipeline.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pase/bytes.hpp"
#include "pase/cost/step_time.hpp"
#include "pase/pipeline/search_pipeline.hpp"
#include "pase/report/device_memory.hpp"

namespace pase {

// How one split of a layer lies on the node-major device grid (hardware model).
struct SplitPlacement {
  char letter = 0;
  std::int64_t ways = 1;
  int nodes = 1;  // nodes its device groups span: 1 = inside a node
};

struct LayerRow {
  std::string name;
  std::string op;
  std::string letters;
  Config config;
  std::size_t config_count = 0;  // configurations the search considered
  double cost = 0;   // layer cost plus the cost of the edges into it, FLOP
  double share = 0;  // of the total
  double time_s = 0;  // the cost in seconds (paper model: at the device's peak)
  std::vector<SplitPlacement> placement = {};  // hardware model: each split's nodes
  double memory_bytes = -1;  // device memory checked: the layer's resident bytes per device
  bool recompute = false;    // device memory checked: the layer recomputes its activations
};

struct SearchReport {
  std::string model;
  std::string file;
  Parameters params;
  std::int64_t parameters = -1;            // the model file's, -1 when it does not say
  double forward_macs_per_sample = -1;
  SearchSettings settings;
  OrderKind order = OrderKind::greedy;  // as in SearchRun
  std::string order_text;
  std::vector<LayerRow> layers;
  double total_cost = 0;
  double step_time_s = 0;
  double data_parallel_cost = 0;
  double data_parallel_step_time_s = 0;
  double speedup_over_data_parallel = 0;
  CostModel cost_model = CostModel::paper;
  std::string cluster_name;            // hardware model: the pase-cluster's name
  StepBreakdown breakdown;             // of step_time_s
  StepBreakdown data_parallel_breakdown;
  std::int64_t devices_used = 0;       // the most devices a layer of the strategy uses
  std::int64_t data_parallel_devices_used = 0;
  // Hardware model: the DP's strategy lost to data parallelism once both overlap their gradient
  // all-reduces, so data parallelism is reported (src/cluster/README.md, "What is exact").
  bool data_parallel_chosen = false;
  double build_seconds = 0;
  double search_seconds = 0;
  PruningTotals pruning;
  BlockTotals blocks;
  PlanTotals plan;
  std::vector<RankStats> ranks;
  // Device memory checked (settings.device_memory.capacity_bytes > 0): the strategy above is the one
  // that fits, and data parallelism is chosen only when it fits too.
  std::optional<DeviceMemoryResult> device_memory;
};

// `memory`: the capacity search's result (search_within_capacity), which must be feasible.
SearchReport make_report(const SearchSettings& settings, const SearchRun& run,
                         const DeviceMemoryResult* memory = nullptr);

}  // namespace pase
