#pragma once
// A search's device memory: the strategy that fits the devices' capacity (src/search/capacity.cpp),
// its breakdown, and the baselines a user would otherwise run (plain data parallelism and fully
// sharded data parallelism, ZeRO-3 / FSDP), each with its memory, step time and whether it fits.

#include <optional>
#include <string>
#include <vector>

#include "pase/cost/step_time.hpp"
#include "pase/model/model_memory.hpp"
#include "pase/pipeline/search_run.hpp"
#include "pase/pipeline/search_settings.hpp"
#include "pase/search/capacity.hpp"
#include "pase/search/collectives.hpp"

namespace pase {

struct Baseline {
  std::string name;  // data_parallel, fsdp, megatron
  std::string setup;  // megatron: the setup (pase/stages/megatron.hpp's rule of thumb); else empty
  bool fits = false;
  MemoryBreakdown memory;
  StepBreakdown step;  // paper model: its FLOP at the device's peak, all communication exposed
  double step_time_s() const { return step.step_time_s(); }
};

struct DeviceMemoryResult {
  DeviceMemorySettings settings;
  bool feasible = false;
  std::vector<int> configs;       // of run.model.problem: the recommended strategy (or the smallest)
  std::vector<char> recompute;    // per layer
  MemoryBreakdown memory;         // its peak per device
  std::vector<double> layer_bytes;  // each layer's resident bytes
  double cost = 0;                // its cost (FLOP or seconds), recomputation included
  double lower_bound = 0;         // no strategy that fits costs less
  double smallest_peak_bytes = 0;
  bool unconstrained_fits = false;
  int dp_solves = 0;
  double seconds = 0;             // the constrained search's time beyond the unconstrained one
  StepBreakdown step;             // of the recommended strategy
  std::vector<Baseline> baselines;  // data_parallel, fsdp, and megatron for transformers on the hardware model
  double gap() const { return feasible ? cost - lower_bound : 0.0; }
  double relative_gap() const { return feasible && cost > 0 ? gap() / cost : 0.0; }
};

// The capacity search's constraint: every layer's memory per configuration, kept or recomputed.
MemoryConstraint memory_constraint(const ModelMemory& memory, double capacity_bytes);

// Runs the capacity search after run's unconstrained search (its solution is the first DP), every
// rank of `collectives` taking part; each multiplier's problem goes through the pipeline
// (solve_problem): pruned again (dominance is exact for each relaxed problem, not for the
// constrained one), its repeated blocks reduced as settings.blocks says, one plan of the unpruned
// structure for all of them.
DeviceMemoryResult search_within_capacity(const SearchSettings& settings, const SearchRun& run,
                                          Collectives& collectives);
// "no strategy fits C a device on P devices; the smallest needs S (its breakdown; the whole batch is held
// at once)": the plain search's verdict when nothing fits.
std::string whole_batch_verdict(const SearchSettings& settings, const DeviceMemoryResult& result);
// What an expert team would run: the Megatron-LM rule of thumb (pase/stages/megatron.hpp) on the
// settings' devices, its memory against their capacity. Empty without the hardware model or for a
// model that is not a transformer.
std::optional<Baseline> megatron_baseline(const SearchSettings& settings);

// One line for a strategy that does not fit: its peak, the capacity, and what would make it fit.
std::string does_not_fit_message(const SearchSettings& settings, const DeviceMemoryResult& result);

// The step of a strategy with recomputation: the hardware model's overlapped step (each recomputed
// layer runs its forward kernels and blocking collectives again), or the paper model's FLOP.
StepBreakdown strategy_step(const SearchSettings& settings, const SearchRun& run, const std::vector<int>& configs,
                            const std::vector<char>& recompute);

}  // namespace pase
