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

void expand_solution(SearchRun& run) {
  if (!run.pruned.pruned_any() && !run.blocks.reduced_any()) return;
  if (run.blocks.reduced_any())
    run.solution.configs = run.blocks.expand(run.solution.configs, run.pruned.problem.vertex_count());
  run.solution.configs = run.pruned.expand(run.solution.configs);
  run.solution.total_cost = evaluate(run.model.problem, run.solution.configs);
}

void check_memory(const SearchSettings& settings, const SearchRun& run, int ranks) {
  if (settings.max_memory_bytes == 0) return;
  const std::uint64_t peak = peak_rank_bytes(settings, run, ranks);
  if (peak <= settings.max_memory_bytes) return;
  const int needed = ranks_needed_for(settings, run);
  throw MemoryLimitExceeded(
      "the search needs " + format_bytes(peak) + " on a rank at its peak with " + std::to_string(ranks) +
      " rank(s) (DP tables, and " + format_bytes(edge_matrix_bytes(run)) + " of edge matrices on every rank), more than "
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
  return run;
}

void solve_planned(const SearchSettings& settings, SearchRun& run, Collectives& collectives, DpListener* listener,
                   DpState start) {
  const auto start_time = std::chrono::steady_clock::now();
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

std::uint64_t edge_matrix_bytes(const SearchRun& planned) {
  return saturating_add(saturating_add(planned.model.edge_bytes, planned.pruned.matrix_bytes), planned.blocks.matrix_bytes);
}

std::uint64_t peak_rank_bytes(const SearchSettings& settings, const SearchRun& planned, int ranks) {
  std::uint64_t peak = 0;
  for (const auto& p : predict_ranks(settings, planned, ranks)) peak = std::max(peak, p.peak_bytes);
  return saturating_add(peak, edge_matrix_bytes(planned));
}

int ranks_needed_for(const SearchSettings& settings, const SearchRun& planned) {
  const std::uint64_t edges = edge_matrix_bytes(planned);
  if (edges >= settings.max_memory_bytes) return 0;
  return ranks_needed(planned.searched(), planned.plan, settings.dp.replicate_below_bytes,
                      settings.max_memory_bytes - edges);
}

std::vector<RankPrediction> predict_ranks(const SearchSettings& settings, const SearchRun& planned, int ranks) {
  const Problem& problem = planned.searched();
  return predict(problem, planned.plan, distribute(problem, planned.plan, ranks, settings.dp.replicate_below_bytes));
}

PruningTotals pruning_totals(const SearchSettings& settings, const SearchRun& run) {
  return {settings.prune, run.pruned.pruned_any() || should_prune(settings.prune, run.unpruned_dp_cells),
          run.unpruned_dp_cells, run.pruned.configs_before, run.pruned.configs_after, run.pruned.passes};
}

BlockTotals block_totals(const SearchSettings& settings, const SearchRun& run) {
  return {settings.blocks, run.blocks.blocks.size(), run.blocks.distinct_blocks, run.blocks.reduction_cells,
          run.pruned_dp_cells, run.plan.totals.dp_cells};
}

namespace {

// Per layer: its cost plus the cost of the edges into it.
std::vector<double> layer_costs(const Problem& problem, const std::vector<int>& chosen) {
  std::vector<double> cost(problem.vertex_count());
  for (int v = 0; v < problem.vertex_count(); ++v) cost[v] = problem.vertices[v].costs[chosen[v]];
  for (const auto& e : problem.edges) cost[e.to] += e.cost(chosen[e.from], chosen[e.to], problem.config_count(e.to));
  return cost;
}

double edge_total(const Problem& problem, const std::vector<int>& chosen) {
  double total = 0;
  for (const auto& e : problem.edges) total += e.cost(chosen[e.from], chosen[e.to], problem.config_count(e.to));
  return total;
}

std::int64_t devices_used(const ModelProblem& model, const std::vector<int>& chosen) {
  std::int64_t most = 1;
  for (std::size_t v = 0; v < chosen.size(); ++v) most = std::max(most, product(model.configs[v][chosen[v]]));
  return most;
}

// The paper model has no overlap: compute is the FLOP the layers count with r = 0, the rest is
// communication, all of it exposed; seconds at the device's peak.
StepBreakdown paper_breakdown(const SearchRun& run, const std::vector<int>& chosen, double peak) {
  StepBreakdown b;
  double total = 0, compute = 0;
  const CostMath no_links(0.0);
  const std::vector<double> cost = layer_costs(run.model.problem, chosen);
  for (std::size_t v = 0; v < chosen.size(); ++v) {
    const Layer& layer = run.network.layers[v];
    total += cost[v];
    const Config& c = run.model.configs[v][chosen[v]];
    compute += layer.op == "Measured" ? run.model.problem.vertices[v].costs[chosen[v]]
                                      : paper_cost(layer.model->work(c), no_links);
  }
  b.compute_s = compute / peak;
  b.communication_s = b.exposed_communication_s = std::max(0.0, total - compute) / peak;
  return b;
}

StepBreakdown hardware_breakdown(const SearchRun& run, const std::vector<int>& chosen) {
  std::vector<LayerTime> layers;
  for (std::size_t v = 0; v < chosen.size(); ++v) layers.push_back(run.model.times[v][chosen[v]]);
  return overlapped_step(layers, edge_total(run.model.problem, chosen));
}

}  // namespace

SearchReport make_report(const SearchSettings& settings, const SearchRun& run) {
  const Problem& problem = run.model.problem;
  const bool hardware = settings.problem.hardware.has_value();
  std::vector<int> chosen = run.solution.configs;
  StepBreakdown breakdown, data_parallel_breakdown;
  bool data_parallel_chosen = false;
  if (hardware) {
    breakdown = hardware_breakdown(run, chosen);
    data_parallel_breakdown = hardware_breakdown(run, run.model.data_parallel);
    if (data_parallel_breakdown.step_time_s() < breakdown.step_time_s()) {
      chosen = run.model.data_parallel;
      breakdown = data_parallel_breakdown;
      data_parallel_chosen = true;
    }
  }
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
  r.pruning = pruning_totals(settings, run);
  r.blocks = block_totals(settings, run);
  r.total_cost = data_parallel_chosen ? evaluate(problem, chosen) : run.solution.total_cost;
  r.plan = run.plan.totals;
  r.build_seconds = run.build_seconds;
  r.search_seconds = run.search_seconds;
  r.ranks = run.rank_stats;

  const std::vector<double> layer_cost = layer_costs(problem, chosen);
  const double peak = settings.problem.cluster.peak_flop_per_second();
  for (int v = 0; v < problem.vertex_count(); ++v) {
    const Layer& layer = run.network.layers[v];
    const Config& config = run.model.configs[v][chosen[v]];
    LayerRow row{layer.name, layer.op, layer.model->letters(), config, run.model.configs[v].size(), layer_cost[v],
                 r.total_cost > 0 ? layer_cost[v] / r.total_cost : 0.0};
    row.time_s = hardware ? layer_cost[v] : layer_cost[v] / peak;
    if (hardware)
      for (std::size_t d = 0; d < config.size(); ++d)
        if (config[d] > 1)
          row.placement.push_back({layer.model->letters()[d], config[d],
                                   settings.problem.hardware->nodes_spanned(config, {d})});
    r.layers.push_back(std::move(row));
  }

  r.cost_model = settings.problem.cost_model();
  r.data_parallel_cost = evaluate(problem, run.model.data_parallel);
  r.devices_used = devices_used(run.model, chosen);
  r.data_parallel_devices_used = devices_used(run.model, run.model.data_parallel);
  if (hardware) {
    r.cluster_name = settings.problem.hardware->cluster().name;
    r.breakdown = breakdown;
    r.data_parallel_breakdown = data_parallel_breakdown;
    r.data_parallel_chosen = data_parallel_chosen;
    r.step_time_s = breakdown.step_time_s();
    r.data_parallel_step_time_s = data_parallel_breakdown.step_time_s();
    r.speedup_over_data_parallel = r.step_time_s > 0 ? r.data_parallel_step_time_s / r.step_time_s : 1.0;
    return r;
  }
  r.breakdown = paper_breakdown(run, chosen, peak);
  r.data_parallel_breakdown = paper_breakdown(run, run.model.data_parallel, peak);
  r.step_time_s = r.total_cost / peak;
  r.data_parallel_step_time_s = r.data_parallel_cost / peak;
  r.speedup_over_data_parallel = r.total_cost > 0 ? r.data_parallel_cost / r.total_cost : 1.0;
  return r;
}

}  // namespace pase
