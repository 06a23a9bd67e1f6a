#include "pase/stages/auto_stages.hpp"

#include <algorithm>
#include <chrono>

#include "pase/cluster/hardware_costs.hpp"
#include "pase/cost/configs.hpp"
#include "pase/stages/pipeline_step.hpp"
#include "pase/stages/stage_problem.hpp"
#include "pase/stages/stage_search.hpp"

namespace pase {

namespace {

std::vector<long> powers_of_two_dividing(std::int64_t n) {
  std::vector<long> out;
  for (long k = 1; k <= n && n % k == 0; k *= 2) out.push_back(k);
  return out;
}

std::vector<long> divisors(std::int64_t n) {
  std::vector<long> out;
  for (long k = 1; k <= n; ++k)
    if (n % k == 0) out.push_back(k);
  return out;
}

}  // namespace

AutoStagesResult search_auto_stages(const SearchSettings& settings) {
  const auto start = std::chrono::steady_clock::now();
  AutoStagesResult result;
  StagePricer pricer(settings);
  const StageUnits& units = pricer.units();
  const int L = static_cast<int>(units.units.size());
  result.units = L;
  const int D = static_cast<int>(settings.problem.procs);
  const int node = settings.problem.hardware->cluster().devices_per_node;
  const std::int64_t B = pricer.batch();
  const double capacity = settings.device_memory.capacity_bytes;

  // Every recomputation, without and with sequence parallelism (the rule of thumb's setups among them).
  const std::pair<Recompute, bool> recipes[] = {{Recompute::none, false},     {Recompute::selective, false},
                                                {Recompute::full, false},     {Recompute::none, true},
                                                {Recompute::selective, true}, {Recompute::full, true}};
  for (long dp : powers_of_two_dividing(D)) {
    if (B % dp != 0) break;
    const int P = static_cast<int>(D / dp);
    for (int a : stage_device_counts(P, node))
      for (const auto& recipe : recipes) {
        // Named copies: a lambda may not capture a structured binding in C++20 as clang 14 reads it.
        const auto recompute = recipe.first;
        const bool sequence_parallel = recipe.second;
        if (a > node || P % a != 0 || P / a > L || (sequence_parallel && a == 1)) continue;
        StageSearchInput in;
        in.layers = L;
        in.devices = P;
        in.stage_devices = {a};
        in.microbatches = divisors(B / dp);
        in.capacity_bytes = capacity;
        in.signatures = units.signatures;
        in.strategies = 2;  // StageStrategy::search, StageStrategy::megatron
        const int replicas = static_cast<int>(dp);
        // Megatron-LM's order (evaluate_pipeline's): a stage's replicas side by side, then the next stage.
        in.send_crosses_nodes = [replicas, node](int first_device, int devices) {
          return send_crosses_nodes(std::int64_t{replicas} * first_device, devices,
                                    std::int64_t{replicas} * (first_device + devices), devices, replicas, node);
        };
        ++result.candidates;
        const StageSearchResult found = search_stages(in, [&](int first, int last, int devices, long m, int strategy) {
          const std::int64_t b = B / (dp * m);
          const PricedStage& priced = pricer.stage(first, last, devices, b, recompute, static_cast<StageStrategy>(strategy),
                                                   sequence_parallel, replicas);
          StageCost cost = priced.cost;
          if (cost.runs && last + 1 < L) {
            cost.crossing_time_s = cost.microbatch_time_s + pricer.send_s(priced, first, last, replicas, true);
            cost.microbatch_time_s += pricer.send_s(priced, first, last, replicas, false);
          }
          return cost;
        });
        result.stage_cost_evaluations += found.cost_evaluations;
        result.bounds_tried += found.bounds_tried;
        if (!found.plan) continue;
        const long m = found.plan->schedule.microbatches;
        const std::int64_t b = B / (dp * m);
        std::vector<StageSpec> specs;
        std::vector<StageStrategy> strategies;
        for (std::size_t i = 0; i < found.plan->stages.size(); ++i) {
          const StagePlan& s = found.plan->stages[i];
          strategies.push_back(static_cast<StageStrategy>(found.stage_strategies[i]));
          const LayerRange range = pricer.layers(s.first_layer, s.last_layer);
          const PricedStage& priced =
              pricer.stage(s.first_layer, s.last_layer, a, b, recompute, strategies.back(), sequence_parallel, replicas);
          specs.push_back({{range}, priced.network, pricer.network_configs(range, priced)});
        }
        PipelineOptions options;
        options.schedule = found.plan->schedule;
        options.data_parallel = static_cast<int>(dp);
        options.recompute = recompute;
        options.sequence_parallel = sequence_parallel;
        PipelinePlan plan = evaluate_pipeline(specs, options);
        const bool fits = capacity <= 0 || std::all_of(plan.stages.begin(), plan.stages.end(), [&](const StagePlan& s) {
                            return s.memory_bytes_per_device <= capacity;
                          });
        result.tried.push_back({replicas, a, recompute, sequence_parallel, *found.plan, plan, fits});
        if (!fits) continue;
        if (!result.plan || plan.step_time_s() < result.plan->step_time_s()) {
          result.plan = std::move(plan);
          result.recompute = recompute;
          result.sequence_parallel = sequence_parallel;
          result.stage_strategies = strategies;
        }
      }
  }
  result.stage_searches = pricer.searches();
  if (!result.plan)
    result.nothing_fits = "no pipeline of " + settings.model_file + " on " + std::to_string(D) +
                          " devices fits the device memory: every cut into stages of 1 to " + std::to_string(node) +
                          " devices, data-parallel degree, micro-batch count and recomputation leaves a stage above it";
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace pase
