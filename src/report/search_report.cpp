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
  std::uint64_t peak = 0;
  for (const auto& p : predict_ranks(settings, run, ranks)) peak = std::max(peak, p.peak_bytes);
  if (peak <= settings.max_memory_bytes) return;
  const Problem& problem = run.model.problem;
  const int needed = ranks_needed(problem, run.plan, settings.dp.replicate_below_bytes, settings.max_memory_bytes);
  throw MemoryLimitExceeded(
      "the search needs " + format_bytes(peak) + " of DP tables on a rank at its peak with " + std::to_string(ranks) +
      " rank(s), more than --max-memory " + format_bytes(settings.max_memory_bytes) + " per rank; " +
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
  run.plan = make_plan(run.model.problem, elimination_order(run.model.problem, settings.order));
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
  r.settings = settings;
  r.total_cost = run.solution.total_cost;
  r.plan = run.plan.totals;
  r.build_seconds = run.build_seconds;
  r.search_seconds = run.search_seconds;
  r.ranks = run.rank_stats;

  std::vector<double> layer_cost(problem.vertex_count());
  for (int v = 0; v < problem.vertex_count(); ++v) layer_cost[v] = problem.vertices[v].costs[chosen[v]];
  for (const auto& e : problem.edges)
    layer_cost[e.to] += e.costs[chosen[e.from] * problem.config_count(e.to) + chosen[e.to]];
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

std::string format_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 6) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

std::uint64_t parse_bytes(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string suffix = text.substr(used);
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.pop_back();
  if (!suffix.empty() && suffix.back() == 'i') suffix.pop_back();
  const std::string units = "KMGTP";
  double scale = 1;
  if (suffix.size() == 1 && units.find(static_cast<char>(std::toupper(suffix[0]))) != std::string::npos)
    scale = std::pow(1024.0, static_cast<double>(units.find(static_cast<char>(std::toupper(suffix[0]))) + 1));
  else if (!suffix.empty())
    used = 0;
  if (used == 0 || !(value >= 0) || !std::isfinite(value * scale) || value * scale > 1.8e19)
    throw std::invalid_argument(option + ": '" + text + "' is not a size; write for example 512M, 16G or 0");
  return static_cast<std::uint64_t>(value * scale);
}

}  // namespace pase
