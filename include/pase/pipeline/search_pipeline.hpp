#pragma once
// The one search pipeline: settings -> network -> problem -> order -> prune -> plan -> (memory
// check) -> solve -> result. Every search runs through it; its hooks are a plan cache (sweeps reuse
// the plan of points with the same problem structure), a DP listener (checkpoints) and a DP start
// state (resumed searches). The memory rule is memory_policy.hpp's.

#include <cstdint>
#include <optional>

#include "pase/model/network.hpp"
#include "pase/pipeline/memory_policy.hpp"
#include "pase/pipeline/search_run.hpp"
#include "pase/pipeline/search_settings.hpp"
#include "pase/search/collectives.hpp"
#include "pase/search/order_choice.hpp"

namespace pase {

// Holds the orders and plans of unpruned problems by their structure (configuration counts and
// edges), which is all a plan depends on. find returns a plan made for a problem of the same
// structure, or nothing; keep is told of every plan the pipeline made for an unpruned problem.
class PlanCache {
 public:
  virtual ~PlanCache() = default;
  virtual std::optional<PlannedOrder> find(const Problem& problem) = 0;
  virtual void keep(const Problem& problem, const PlannedOrder& planned) = 0;
};

// Loads settings.model_file (with its overrides) into run.network, then plan_network.
SearchRun plan_search(const SearchSettings& settings, PlanCache* cache = nullptr);
// The stages after loading: builds the problem of run.network (already loaded), orders, prunes and
// plans it, without the DP. Adds to run.build_seconds (which may hold the loading time).
void plan_network(const SearchSettings& settings, SearchRun& run, PlanCache* cache = nullptr);
// The stages after building, on run.model.problem (already built: a network's, or a pipeline
// stage's slice of one, pase/stages/stage_problem.hpp): orders, prunes (per
// settings.prune), reduces repeated blocks (settings.blocks) and plans it, without the DP. Sets
// run.search_seconds to the time it took.
void plan_problem(const SearchSettings& settings, SearchRun& run, PlanCache* cache = nullptr);
// The pipeline on a problem built elsewhere (the capacity search's problems, whose costs a Lagrange
// multiplier adjusted): plan_problem, then the DP on every rank of `collectives`, with no memory
// check, no listener and no start state; the solution is of `problem`. The cache sees every plan made
// for the unpruned problem, so problems of one structure share it.
Solution solve_problem(const SearchSettings& settings, const Problem& problem, Collectives& collectives,
                       PlanCache* cache = nullptr);
// The DP of a planned search (memory already checked), with every rank of `collectives` taking
// part, telling `listener` of every step and starting from `start` (a resumed search's state for
// this number of ranks); then expand_solution.
void solve_planned(const SearchSettings& settings, SearchRun& planned, Collectives& collectives,
                   DpListener* listener = nullptr, DpState start = {});
// plan_search, check_memory on collectives.size() ranks, solve_planned.
SearchRun run_search(const SearchSettings& settings, Collectives& collectives);
SearchRun run_search(const SearchSettings& settings);  // one process
// Turns a solution of run.searched() into one of run.model.problem (configuration indices and total).
void expand_solution(SearchRun& run);

struct PruningTotals {
  PruneMode mode = PruneMode::automatic;
  bool applied = false;
  std::uint64_t unpruned_dp_cells = 0;
  std::uint64_t configs_before = 0;
  std::uint64_t configs_after = 0;
  int passes = 0;
};
PruningTotals pruning_totals(const SearchSettings& settings, const SearchRun& run);

struct BlockTotals {
  BlockMode mode = BlockMode::never;
  std::size_t blocks = 0;             // pieces replaced by an edge
  int distinct = 0;                   // pieces eliminated (one per group of identical ones)
  std::uint64_t reduction_cells = 0;  // DP cells eliminating them
  std::uint64_t dp_cells_before = 0;  // the plan of the pruned problem
  std::uint64_t dp_cells_after = 0;   // the plan of the reduced problem
};
BlockTotals block_totals(const SearchSettings& settings, const SearchRun& run);

}  // namespace pase
