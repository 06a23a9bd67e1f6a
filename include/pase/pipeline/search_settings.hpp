#pragma once
// Everything a search needs to know, in one value (like KaMinPar's Context): the command line
// (cli/options.cpp) and a sweep point (sweep/sweep_points.cpp) both fill it, and every search —
// `pase search`, `pase plan`, sweep points, checkpointed searches — runs from it.

#include <cstdint>
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

struct SearchSettings {
  std::string model_file;
  std::vector<std::string> overrides;  // --set name=value
  ProblemOptions problem;
  OrderKind order = OrderKind::greedy;
  PruneMode prune = PruneMode::automatic;  // drop dominated configurations before planning (exact)
  BlockMode blocks = BlockMode::never;     // reduce repeated two-terminal blocks after pruning (exact)
  // Per rank; 0: no limit. Set with set_memory_cap (memory_policy.hpp), which also caps the edge
  // matrices that build_problem makes (problem.max_memory_bytes).
  std::uint64_t max_memory_bytes = 0;
  DpOptions dp;
  DeviceMemorySettings device_memory;
};

}  // namespace pase
