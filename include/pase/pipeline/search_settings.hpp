#pragma once
// Everything a search needs to know, in one value (like KaMinPar's Context), and the one place it
// is built: the command line (cli/options.cpp) and a sweep point (sweep/sweep_points.cpp) each
// describe the search as a SearchRequest and build_settings turns it into SearchSettings, so the two
// cannot drift. Every search — `pase search`, `pase plan`, sweep points, checkpointed searches —
// runs from SearchSettings.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pase/cost/memory.hpp"
#include "pase/model/model_problem.hpp"
#include "pase/search/blocks.hpp"
#include "pase/search/dominance.hpp"
#include "pase/search/dp.hpp"
#include "pase/search/order.hpp"

namespace pase {

// The devices' memory (src/cost/README.md, "Device memory"): the search recommends only strategies
// whose peak per device is within capacity_bytes. 0: not checked.
struct DeviceMemorySettings {
  double capacity_bytes = 0;  // what a device offers (the reserve is part of it)
  double reserve_bytes = 0;   // held whatever the strategy
  TrainingRecipe recipe;
};

// Pipeline stages (README.md, "Pipeline stages in the search"): none runs the plain search only;
// automatic the stage search (pase/stages/auto_stages.hpp: stage cuts, stage devices, data-parallel
// replicas and micro-batches) instead; when_needed the plain search, then the stage search when
// nothing fits device memory holding the whole batch (`pase search`'s default).
enum class StageMode { none, automatic, when_needed };
// "none", "auto" or "when-needed"; throws std::invalid_argument naming them otherwise.
StageMode parse_stage_mode(const std::string& text);
const char* to_string(StageMode mode);

struct SearchSettings {
  std::string model_file;
  std::vector<std::string> overrides;  // --set name=value
  ProblemOptions problem;
  OrderKind order = OrderKind::greedy;
  PruneMode prune = PruneMode::automatic;  // drop dominated configurations before planning (exact)
  BlockMode blocks = BlockMode::never;     // reduce repeated two-terminal blocks after pruning (exact)
  StageMode stages = StageMode::none;
  // Per rank; 0: no limit. Set with set_memory_cap (memory_policy.hpp), which also caps the edge
  // matrices that build_problem makes (problem.max_memory_bytes).
  std::uint64_t max_memory_bytes = 0;
  DpOptions dp;
  DeviceMemorySettings device_memory;
};

// A search as the command line or a sweep spec gives it, before the pricing and the memory cap are
// resolved. The defaults are `pase search`'s, except where a field says otherwise.
struct SearchRequest {
  std::string model_file;
  std::vector<std::string> overrides;  // "name=value"
  std::int64_t procs = 8;
  Cluster cluster;                                   // the paper model's flops and bw
  std::optional<cluster::HardwareCluster> hardware;  // set: the hardware model prices at `precision`
  cluster::Precision precision = cluster::Precision::kFp32;
  ParallelEdges parallel_edges = ParallelEdges::last;
  OrderKind order = OrderKind::greedy;
  PruneMode prune = PruneMode::automatic;
  BlockMode blocks = BlockMode::never;
  StageMode stages = StageMode::none;
  DpOptions dp;                         // threads: 1 (the command line gives its own)
  DeviceMemorySettings device_memory;   // capacity 0: device memory not checked
  // The search memory per rank (0: no limit); none: default_memory_cap(ranks_on_node).
  std::optional<std::uint64_t> max_memory_bytes;
  int ranks_on_node = 1;
};

// The settings of a request: its hardware pricing, and its memory cap by the one policy
// (memory_policy.hpp: set_memory_cap).
SearchSettings build_settings(const SearchRequest& request);

}  // namespace pase
