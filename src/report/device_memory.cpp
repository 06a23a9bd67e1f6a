#include "pase/report/device_memory.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "pase/bytes.hpp"
#include "pase/pipeline/search_pipeline.hpp"
#include "pase/search/order_choice.hpp"
#include "pase/stages/megatron.hpp"

namespace pase {

namespace {

double edge_total(const Problem& problem, const std::vector<int>& chosen) {
  double total = 0;
  for (const auto& e : problem.edges) total += e.cost(chosen[e.from], chosen[e.to], problem.config_count(e.to));
  return total;
}

// Data parallelism's step with its weight-gradient all-reduces replaced by FSDP's traffic: an
// all-gather of the parameters forward and backward and a reduce-scatter of the gradients, 1.5 times
// an all-reduce's bytes (ZeRO, Rajbhandari et al. 2020, Sec. 7.2.2), run behind the computation as
// DDP's all-reduces are.
StepBreakdown fsdp_step(const SearchSettings& settings, const SearchRun& run) {
  const std::vector<int>& dp = run.model.data_parallel;
  if (settings.problem.hardware) {
    std::vector<LayerTime> layers;
    for (std::size_t v = 0; v < dp.size(); ++v) {
      LayerTime t = run.model.times[v][dp[v]];
      t.gradient_s *= 1.5;
      t.gradient_compute_loss_s *= 1.5;
      layers.push_back(t);
    }
    return overlapped_step(layers, edge_total(run.model.problem, dp));
  }
  StepBreakdown b = strategy_step(settings, run, dp, {});
  b.communication_s *= 1.5;
  b.exposed_communication_s *= 1.5;
  return b;
}

// The plan of the relaxed problems' structure, made once: a multiplier changes costs, not structure.
class OnePlan final : public PlanCache {
 public:
  std::optional<PlannedOrder> find(const Problem&) override { return planned_; }
  void keep(const Problem&, const PlannedOrder& planned) override { planned_ = planned; }

 private:
  std::optional<PlannedOrder> planned_;
};

}  // namespace

MemoryConstraint memory_constraint(const ModelMemory& memory, double capacity_bytes) {
  MemoryConstraint c;
  c.fixed_bytes = memory.reserve_bytes;
  c.capacity_bytes = capacity_bytes;
  for (std::size_t v = 0; v < memory.keep.size(); ++v) {
    VertexMemory& m = c.vertices.emplace_back();
    for (std::size_t k = 0; k < memory.keep[v].size(); ++k) {
      m.resident.push_back(memory.keep[v][k].resident());
      m.recompute_resident.push_back(memory.recompute[v][k].resident());
      m.recompute_cost.push_back(memory.recompute_cost[v][k]);
      m.buffer.push_back(memory.keep[v][k].buffers);
    }
  }
  return c;
}

StepBreakdown strategy_step(const SearchSettings& settings, const SearchRun& run, const std::vector<int>& configs,
                            const std::vector<char>& recompute) {
  const auto again = [&](std::size_t v) { return v < recompute.size() && recompute[v]; };
  if (settings.problem.hardware) {
    std::vector<LayerTime> layers;
    for (std::size_t v = 0; v < configs.size(); ++v) {
      LayerTime t = run.model.times[v][configs[v]];
      if (again(v)) {
        t.compute_s += t.compute_s - t.backward_s;
        t.communication_s *= 2;
      }
      layers.push_back(t);
    }
    return overlapped_step(layers, edge_total(run.model.problem, configs));
  }
  // The paper model: the layers' own FLOP with r = 0 is computation, the rest communication.
  const double peak = settings.problem.cluster.peak_flop_per_second();
  const CostMath no_links(0.0);
  double total = evaluate(run.model.problem, configs), compute = 0;
  for (std::size_t v = 0; v < configs.size(); ++v) {
    const Layer& layer = run.network.layers[v];
    const double own = layer.op == "Measured" ? run.model.problem.vertices[v].costs[configs[v]]
                                              : paper_cost(layer.model->work(run.model.configs[v][configs[v]]), no_links);
    compute += own;
    if (again(v)) {
      const double cost = run.model.problem.vertices[v].costs[configs[v]];
      total += own / 3.0 + std::max(0.0, cost - own);
      compute += own / 3.0;
    }
  }
  StepBreakdown b;
  b.compute_s = compute / peak;
  b.communication_s = b.exposed_communication_s = std::max(0.0, total - compute) / peak;
  return b;
}

std::optional<Baseline> megatron_baseline(const SearchSettings& settings) {
  if (!settings.problem.hardware) return std::nullopt;
  const DeviceMemorySettings& memory = settings.device_memory;
  const auto rule = megatron_rule_of_thumb(settings.model_file, settings.overrides, settings.problem.procs,
                                           *settings.problem.hardware, memory.recipe, memory.reserve_bytes,
                                           memory.capacity_bytes);
  if (!rule) return std::nullopt;
  return Baseline{"megatron", to_string(rule->setup), rule->fits, rule->plan.peak_memory(), rule->plan.breakdown};
}

DeviceMemoryResult search_within_capacity(const SearchSettings& settings, const SearchRun& run,
                                          Collectives& collectives) {
  const DeviceMemorySettings& memory = settings.device_memory;
  const auto start = std::chrono::steady_clock::now();
  DeviceMemoryResult out;
  out.settings = memory;
  const ModelMemory model_bytes =
      model_memory(run.network, run.model, settings.problem, memory.recipe, memory.reserve_bytes);
  const MemoryConstraint constraint = memory_constraint(model_bytes, memory.capacity_bytes);

  bool first = true;
  OnePlan plan;
  const ExactSolver solver = [&](const Problem& relaxed) {
    if (first) {  // multiplier 0 is the unconstrained problem: its solution is run's
      first = false;
      return run.solution;
    }
    return solve_problem(settings, relaxed, collectives, &plan);
  };
  const CapacitySolution found = solve_within_capacity(run.model.problem, constraint, solver);
  out.feasible = found.feasible;
  out.configs = found.configs;
  out.recompute = found.recompute;
  out.cost = found.cost;
  out.lower_bound = found.lower_bound;
  out.smallest_peak_bytes = found.smallest_peak_bytes;
  out.unconstrained_fits = found.unconstrained_fits;
  out.dp_solves = found.dp_solves;
  out.memory = strategy_memory(model_bytes, out.configs, out.recompute);
  for (std::size_t v = 0; v < out.configs.size(); ++v)
    out.layer_bytes.push_back(
        (out.recompute[v] ? model_bytes.recompute : model_bytes.keep)[v][out.configs[v]].resident());
  out.step = strategy_step(settings, run, out.configs, out.recompute);

  const std::vector<int>& dp = run.model.data_parallel;
  Baseline data_parallel{"data_parallel", "", false, strategy_memory(model_bytes, dp, {}),
                         strategy_step(settings, run, dp, {})};
  data_parallel.fits = data_parallel.memory.total() <= memory.capacity_bytes;
  std::int64_t dp_devices = 1;
  for (std::size_t v = 0; v < dp.size(); ++v) dp_devices = std::max(dp_devices, product(run.model.configs[v][dp[v]]));
  Baseline fsdp{"fsdp", "", false, fsdp_memory(model_bytes, dp, static_cast<double>(dp_devices)),
                fsdp_step(settings, run)};
  fsdp.fits = fsdp.memory.total() <= memory.capacity_bytes;
  out.baselines = {data_parallel, fsdp};
  if (auto megatron = megatron_baseline(settings)) out.baselines.push_back(std::move(*megatron));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

namespace {

// Where the Megatron-LM rule of thumb fits (micro-batches, pipeline stages), how to price it.
std::string megatron_hint(const DeviceMemoryResult& r) {
  for (const Baseline& b : r.baselines)
    if (b.name == "megatron" && b.fits) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.3f", b.step_time_s());
      return "; with micro-batches and pipeline stages the Megatron-LM rule of thumb fits, " + std::string(seconds) +
             " s a step: pase evaluate --megatron " + b.setup;
    }
  return "";
}

}  // namespace

std::string whole_batch_verdict(const SearchSettings& settings, const DeviceMemoryResult& r) {
  auto gb = [](double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GB", bytes / 1e9);
    return std::string(text);
  };
  const MemoryBreakdown& m = r.memory;
  return "no strategy fits " + gb(r.settings.capacity_bytes) + " a device on " + std::to_string(settings.problem.procs) +
         " devices; the smallest needs " + gb(r.smallest_peak_bytes) + " (weights " + gb(m.weights) + ", gradients " +
         gb(m.gradients) + ", optimizer " + gb(m.optimizer) + ", activations " + gb(m.activations) + ", buffers " +
         gb(m.buffers) + ", reserve " + gb(m.reserve) + "; the whole batch is held at once)";
}

std::string does_not_fit_message(const SearchSettings& settings, const DeviceMemoryResult& r) {
  return "device memory: " + whole_batch_verdict(settings, r) +
         "; search pipeline stages with micro-batches (--stages auto), or use "
         "more devices (--procs), a smaller batch (--set batch=...), a leaner recipe (--optimizer sgd) or a larger "
         "--memory-per-device" + megatron_hint(r);
}

}  // namespace pase
