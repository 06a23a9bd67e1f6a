#include "pase/report/search_report.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "pase/model/model_file.hpp"

namespace pase {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void check_memory(const SearchSettings& settings, const SearchRun& run, int ranks) {
  if (settings.max_memory_bytes == 0) return;
  const std::uint64_t peak = peak_rank_bytes(settings, run, ranks);
  if (peak <= settings.max_memory_bytes) return;
  const int needed = ranks_needed_for(settings, run);
  throw MemoryLimitExceeded(
      "the search needs " + format_bytes(peak) + " on a rank at its peak with " + std::to_string(ranks) +
      " rank(s) (DP tables, and " + format_bytes(run.model.edge_bytes) + " of edge matrices on every rank), more than "
      "--max-memory " + format_bytes(settings.max_memory_bytes) + " per rank; " +
      (needed > 0 ? "it fits on " + std::to_string(needed) + " ranks (mpirun -n " + std::to_string(needed) + ")"
                  : "no number of ranks up to 4096 makes it fit") +
      ", or raise --max-memory or use fewer --procs");
}

SearchRun plan_search(const SearchSettings& settings) {
  SearchRun run;
  const auto start = std::chrono::steady_clock::now();
  run.network = load_model(settings.model_file, settings.overrides);
  run.model = build_problem(run.network, settings.problem);
  run.build_seconds = seconds_since(start);
  const auto search_start = std::chrono::steady_clock::now();
  PlannedOrder planned = plan_in_order(run.model.problem, settings.order);
  run.order = planned.chosen;
  run.order_text = describe(planned);
  run.plan = std::move(planned.plan);
  run.search_seconds = seconds_since(search_start);
  return run;
}

void solve_planned(const SearchSettings& settings, SearchRun& run, Collectives& collectives, DpListener* listener,
                   DpState start) {
  const auto start_time = std::chrono::steady_clock::now();
  run.solution = solve(run.model.problem, run.plan, settings.dp, collectives, &run.rank_stats, listener,
                       std::move(start));
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

std::uint64_t peak_rank_bytes(const SearchSettings& settings, const SearchRun& planned, int ranks) {
  std::uint64_t peak = 0;
  for (const auto& p : predict_ranks(settings, planned, ranks)) peak = std::max(peak, p.peak_bytes);
  return saturating_add(peak, planned.model.edge_bytes);
}

int ranks_needed_for(const SearchSettings& settings, const SearchRun& planned) {
  const std::uint64_t edges = planned.model.edge_bytes;
  if (edges >= settings.max_memory_bytes) return 0;
  return ranks_needed(planned.model.problem, planned.plan, settings.dp.replicate_below_bytes,
                      settings.max_memory_bytes - edges);
}

std::vector<RankPrediction> predict_ranks(const SearchSettings& settings, const SearchRun& planned, int ranks) {
  const Problem& problem = planned.model.problem;
  return predict(problem, planned.plan, distribute(problem, planned.plan, ranks, settings.dp.replicate_below_bytes));
}

SearchReport make_report(const SearchSettings& settings, const SearchRun& run) {
  const Problem& problem = run.model.problem;
  const auto& chosen = run.solution.configs;
  SearchReport r;
  r.model = run.network.name;
  r.file = run.network.file;
  r.params = run.network.params;
  r.parameters = run.network.parameters;
  r.forward_macs_per_sample = run.network.forward_macs_per_sample;
  r.settings = settings;
  r.order = run.order;
  r.order_text = run.order_text;
  r.total_cost = run.solution.total_cost;
  r.plan = run.plan.totals;
  r.build_seconds = run.build_seconds;
  r.search_seconds = run.search_seconds;
  r.ranks = run.rank_stats;

  std::vector<double> layer_cost(problem.vertex_count());
  for (int v = 0; v < problem.vertex_count(); ++v) layer_cost[v] = problem.vertices[v].costs[chosen[v]];
  for (const auto& e : problem.edges)
    layer_cost[e.to] += e.cost(chosen[e.from], chosen[e.to], problem.config_count(e.to));
  for (int v = 0; v < problem.vertex_count(); ++v) {
    const Layer& layer = run.network.layers[v];
    r.layers.push_back({layer.name, layer.op, layer.model->letters(), run.model.configs[v][chosen[v]],
                        run.model.configs[v].size(), layer_cost[v],
                        r.total_cost > 0 ? layer_cost[v] / r.total_cost : 0.0});
  }

  const double peak = settings.problem.cluster.peak_flop_per_second();
  r.step_time_s = r.total_cost / peak;
  r.data_parallel_cost = evaluate(problem, run.model.data_parallel);
  r.data_parallel_step_time_s = r.data_parallel_cost / peak;
  r.speedup_over_data_parallel = r.total_cost > 0 ? r.data_parallel_cost / r.total_cost : 1.0;
  return r;
}

}  // namespace pase
