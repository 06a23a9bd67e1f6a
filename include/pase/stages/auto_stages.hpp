#pragma once
// `pase search --stages auto`: the fastest pipeline-parallel strategy of a model on its devices.
//
// Every activation recomputation (none, selective, full), without and, on stages of more than one
// device, with sequence parallelism (pipeline_step.hpp), data-parallel degree dp (powers of 2
// dividing the devices and the batch) and stage replica size a (a node's devices split evenly: 1, 2,
// 4, .. the node; every stage of a pipeline the same size, Megatron-LM's layout) gives a pipeline of
// P = devices / dp devices in P / a stages. For each, the stage DP (stage_search.hpp) finds the cuts
// between stage_units and the number of micro-batches m (every divisor of batch / dp: micro-batches
// of batch / (dp m) samples) that minimise the 1F1B pipeline time with every stage within the device
// memory. A stage's price is evaluate_pipeline's: its layers' strategy on a devices (each stage
// chooses: the plain PaSE search's, or Megatron-LM's tensor parallelism, which holds less;
// stage_problem.hpp), its memory with the gradients' all-reduce buffer when dp > 1, plus the send of
// its boundary tensor, its activation forward and its gradient back, each device its 1/a share, on
// the tier the boundary crosses where the stage stands (Narayanan et al. 2021, sec. 4.1). Each
// (dp, a)'s best pipeline is then priced whole by evaluate_pipeline (equal stage times and memory,
// and the gradient synchronisation across the replicas) and the fastest step that fits is the answer.
//
// Exact for the model it states: per (dp, a), the DP's pipeline time is the minimum over every cut,
// every m and every stage's strategy; the exposed gradient synchronisation is not part of the DP's
// objective, only of the comparison between the (dp, a) candidates.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pase/pipeline/search_settings.hpp"
#include "pase/stages/pipeline_plan.hpp"
#include "pase/stages/pipeline_step.hpp"
#include "pase/stages/stage_problem.hpp"

namespace pase {

// One (dp, a, recomputation) candidate whose stage DP found a pipeline.
struct AutoStagesCandidate {
  int data_parallel = 1;
  int stage_devices = 1;
  Recompute recompute = Recompute::none;
  bool sequence_parallel = false;
  PipelinePlan searched;   // the stage DP's best pipeline as the DP priced it (its stages' times and memory)
  PipelinePlan evaluated;  // the same pipeline priced by evaluate_pipeline: equal times and memory
  bool fits = false;       // by evaluate_pipeline's memory
};

struct AutoStagesResult {
  std::optional<PipelinePlan> plan;  // evaluated by evaluate_pipeline; empty when nothing fits
  Recompute recompute = Recompute::none;  // the plan's activation recomputation
  bool sequence_parallel = false;         // with selective recomputation only
  std::vector<StageStrategy> stage_strategies;  // per stage: the plain search's layers or Megatron-LM's
  std::vector<AutoStagesCandidate> tried;  // in the order searched; plan is the fastest that fits
  std::string nothing_fits;
  int units = 0;                     // the chain the DP cuts
  int candidates = 0;                // (dp, a) pairs searched
  std::uint64_t stage_cost_evaluations = 0;  // distinct stage prices asked for (all candidates)
  std::uint64_t stage_searches = 0;          // plain PaSE searches run for them
  std::uint64_t bounds_tried = 0;
  double seconds = 0;
};

AutoStagesResult search_auto_stages(const SearchSettings& settings);

}  // namespace pase
