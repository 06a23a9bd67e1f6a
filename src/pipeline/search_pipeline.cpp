#include "pase/pipeline/search_pipeline.hpp"

#include <chrono>

#include "pase/model/model_file.hpp"

namespace pase {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The unpruned problem's order and plan: the cache's when it has one for this structure.
PlannedOrder plan_unpruned(const SearchSettings& settings, const Problem& problem, PlanCache* cache) {
  if (cache)
    if (std::optional<PlannedOrder> cached = cache->find(problem)) return std::move(*cached);
  PlannedOrder planned = plan_in_order(problem, settings.order);
  if (cache) cache->keep(problem, planned);
  return planned;
}

}  // namespace

void expand_solution(SearchRun& run) {
  if (!run.pruned.pruned_any() && !run.blocks.reduced_any()) return;
  if (run.blocks.reduced_any())
    run.solution.configs = run.blocks.expand(run.solution.configs, run.pruned.problem.vertex_count());
  run.solution.configs = run.pruned.expand(run.solution.configs);
  run.solution.total_cost = evaluate(run.model.problem, run.solution.configs);
}

SearchRun plan_search(const SearchSettings& settings, PlanCache* cache) {
  SearchRun run;
  const auto start = Clock::now();
  run.network = load_model(settings.model_file, settings.overrides);
  run.build_seconds = seconds_since(start);
  plan_network(settings, run, cache);
  return run;
}

void plan_network(const SearchSettings& settings, SearchRun& run, PlanCache* cache) {
  const auto start = Clock::now();
  run.model = build_problem(run.network, settings.problem);
  run.build_seconds += seconds_since(start);
  plan_model(settings, run, cache);
}

void plan_model(const SearchSettings& settings, SearchRun& run, PlanCache* cache) {
  const auto search_start = Clock::now();
  PlannedOrder planned = plan_unpruned(settings, run.model.problem, cache);
  run.unpruned_dp_cells = planned.plan.totals.dp_cells;
  if (should_prune(settings.prune, run.unpruned_dp_cells)) {
    run.pruned = prune_dominated(run.model.problem, settings.dp.threads);
    planned = plan_in_order(run.pruned.problem, settings.order);
  } else {
    run.pruned = unpruned(run.model.problem);
  }
  run.pruned_dp_cells = planned.plan.totals.dp_cells;
  run.blocks = reduce_repeated_blocks(settings.blocks, run.pruned.problem, planned, settings.order, settings.dp.threads);
  run.order = planned.chosen;
  run.order_text = describe(planned);
  run.plan = std::move(planned.plan);
  run.search_seconds = seconds_since(search_start);
}

void solve_planned(const SearchSettings& settings, SearchRun& run, Collectives& collectives, DpListener* listener,
                   DpState start) {
  const auto start_time = Clock::now();
  run.solution = solve(run.searched(), run.plan, settings.dp, collectives, &run.rank_stats, listener,
                       std::move(start));
  expand_solution(run);
  run.search_seconds += seconds_since(start_time);
}

SearchRun run_search(const SearchSettings& settings, Collectives& collectives) {
  SearchRun run = plan_search(settings);
  check_memory(settings, run, collectives.size());
  solve_planned(settings, run, collectives);
  return run;
}

SearchRun run_search(const SearchSettings& settings) {
  SingleProcess single;
  return run_search(settings, single);
}

PruningTotals pruning_totals(const SearchSettings& settings, const SearchRun& run) {
  return {settings.prune, run.pruned.pruned_any() || should_prune(settings.prune, run.unpruned_dp_cells),
          run.unpruned_dp_cells, run.pruned.configs_before, run.pruned.configs_after, run.pruned.passes};
}

BlockTotals block_totals(const SearchSettings& settings, const SearchRun& run) {
  return {settings.blocks, run.blocks.blocks.size(), run.blocks.distinct_blocks, run.blocks.reduction_cells,
          run.pruned_dp_cells, run.plan.totals.dp_cells};
}

}  // namespace pase
