#include "pase/report/search_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "pase/model/strategy_step.hpp"

namespace pase {

namespace {

// Per layer: its cost plus the cost of the edges into it.
std::vector<double> layer_costs(const Problem& problem, const std::vector<int>& chosen) {
  std::vector<double> cost(problem.vertex_count());
  for (int v = 0; v < problem.vertex_count(); ++v) cost[v] = problem.vertices[v].costs[chosen[v]];
  for (const auto& e : problem.edges) cost[e.to] += e.cost(chosen[e.from], chosen[e.to], problem.config_count(e.to));
  return cost;
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
  return hardware_step(run.model, chosen);
}

}  // namespace

SearchReport make_report(const SearchSettings& settings, const SearchRun& run, const DeviceMemoryResult* memory) {
  const Problem& problem = run.model.problem;
  const bool hardware = settings.problem.hardware.has_value();
  std::vector<int> chosen = memory ? memory->configs : run.solution.configs;
  std::vector<char> recompute = memory ? memory->recompute : std::vector<char>(chosen.size(), 0);
  const bool data_parallel_fits = !memory || memory->baselines.front().fits;
  StepBreakdown breakdown, data_parallel_breakdown;
  bool data_parallel_chosen = false;
  if (hardware) {
    breakdown = memory ? memory->step : hardware_breakdown(run, chosen);
    data_parallel_breakdown = hardware_breakdown(run, run.model.data_parallel);
    if (data_parallel_fits && data_parallel_breakdown.step_time_s() < breakdown.step_time_s()) {
      chosen = run.model.data_parallel;
      recompute.assign(chosen.size(), 0);
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
  r.total_cost = data_parallel_chosen ? evaluate(problem, chosen) : (memory ? memory->cost : run.solution.total_cost);
  r.plan = run.plan.totals;
  r.build_seconds = run.build_seconds;
  r.search_seconds = run.search_seconds;
  r.ranks = run.rank_stats;

  std::vector<double> layer_cost = layer_costs(problem, chosen);
  std::optional<ModelMemory> bytes;
  if (memory) {
    r.device_memory = *memory;
    bytes = model_memory(run.network, run.model, settings.problem, settings.device_memory.recipe,
                         settings.device_memory.reserve_bytes);
    for (std::size_t v = 0; v < chosen.size(); ++v)
      if (recompute[v]) layer_cost[v] += bytes->recompute_cost[v][chosen[v]];
    if (data_parallel_chosen) {
      r.device_memory->configs = chosen;
      r.device_memory->recompute = recompute;
      r.device_memory->memory = r.device_memory->baselines.front().memory;
      r.device_memory->step = breakdown;
      r.device_memory->cost = r.total_cost;
    }
  }
  const double peak = settings.problem.cluster.peak_flop_per_second();
  for (int v = 0; v < problem.vertex_count(); ++v) {
    const Layer& layer = run.network.layers[v];
    const Config& config = run.model.configs[v][chosen[v]];
    LayerRow row{layer.name, layer.op, layer.model->letters(), config, run.model.configs[v].size(), layer_cost[v],
                 r.total_cost > 0 ? layer_cost[v] / r.total_cost : 0.0};
    row.time_s = hardware ? layer_cost[v] : layer_cost[v] / peak;
    if (bytes) {
      row.recompute = recompute[v] != 0;
      row.memory_bytes = (row.recompute ? bytes->recompute : bytes->keep)[v][chosen[v]].resident();
    }
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
  r.breakdown = memory ? memory->step : paper_breakdown(run, chosen, peak);
  r.data_parallel_breakdown = paper_breakdown(run, run.model.data_parallel, peak);
  r.step_time_s = r.total_cost / peak;
  r.data_parallel_step_time_s = r.data_parallel_cost / peak;
  r.speedup_over_data_parallel = r.total_cost > 0 ? r.data_parallel_cost / r.total_cost : 1.0;
  return r;
}

}  // namespace pase
