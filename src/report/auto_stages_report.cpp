#include "pase/report/auto_stages_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "pase/model/model_file.hpp"

namespace pase {

namespace {

using Json = nlohmann::ordered_json;

Json kinds(const MemoryBreakdown& m) {
  return Json{{"weights", m.weights},         {"gradients", m.gradients}, {"optimizer", m.optimizer},
              {"activations", m.activations}, {"buffers", m.buffers},     {"reserve", m.reserve}};
}

// Data parallelism by the pipeline step model: one stage of the whole network on one device, d
// replicas, one micro-batch of batch / d samples each.
Baseline data_parallel_baseline(const SearchSettings& settings, std::int64_t batch, std::int64_t devices) {
  const DeviceMemorySettings& memory = settings.device_memory;
  const PricedNetwork priced = price_network(settings.model_file, settings.overrides, batch / devices, 1,
                                             *settings.problem.hardware, memory.recipe, memory.reserve_bytes);
  // On one device every layer has one configuration: unsplit.
  const std::vector<int> configs(priced.network.layers.size(), 0);
  const int last = static_cast<int>(priced.network.layers.size()) - 1;
  PipelineOptions options;
  options.schedule = {1, 1, 1};
  options.data_parallel = static_cast<int>(devices);
  const PipelinePlan plan = evaluate_pipeline({StageSpec{{LayerRange{0, last}}, &priced, configs}}, options);
  Baseline b{"data_parallel", "", true, plan.peak_memory(), plan.breakdown};
  b.fits = memory.capacity_bytes <= 0 || b.memory.total() <= memory.capacity_bytes;
  return b;
}

}  // namespace

double AutoStagesReport::speedup_over_data_parallel() const {
  if (!data_parallel || !evaluation.pipeline) return std::numeric_limits<double>::quiet_NaN();
  return data_parallel->step_time_s() / evaluation.step_time_s;
}

const Baseline* AutoStagesReport::best_baseline() const {
  const Baseline* best = nullptr;
  for (const auto* b : {data_parallel ? &*data_parallel : nullptr, megatron ? &*megatron : nullptr})
    if (b && b->fits && (!best || b->step_time_s() < best->step_time_s())) best = b;
  return best;
}

double bubble_seconds(const PipelinePlan& plan) {
  std::vector<double> kernels;
  for (const StagePlan& s : plan.stages) kernels.push_back(s.compute_s);
  if (kernels.empty()) return 0;
  return pipeline_time_s(kernels, plan.schedule) -
         static_cast<double>(plan.schedule.microbatches) * *std::max_element(kernels.begin(), kernels.end());
}

AutoStagesReport auto_stages_report(const SearchSettings& settings) {
  AutoStagesReport out;
  out.found = search_auto_stages(settings);
  const AutoStagesResult& found = out.found;
  if (!found.plan) return out;
  const PipelinePlan& plan = *found.plan;
  const Network network = load_model(settings.model_file, settings.overrides);
  const std::int64_t batch = network.params.at("batch");
  out.microbatch_size = batch / (plan.data_parallel * plan.schedule.microbatches);
  std::vector<std::string> overrides = settings.overrides;
  overrides.push_back("batch=" + std::to_string(out.microbatch_size));

  MegatronSetup shape;  // how the printer names the pipeline's shape: a stage replica's devices as tp
  shape.tp = plan.stages.front().devices;
  shape.pp = plan.schedule.stages;
  shape.dp = plan.data_parallel;
  shape.microbatch = out.microbatch_size;
  shape.recompute = found.recompute;
  shape.sequence_parallel = found.sequence_parallel;
  const double model_flop = model_flop_per_step(load_model(settings.model_file, overrides)) *
                            static_cast<double>(batch / out.microbatch_size);
  EvaluationReport& r = out.evaluation = pipeline_evaluation(settings, network, shape, plan, model_flop);
  out.description = std::to_string(plan.schedule.stages) + " stage(s) of " + std::to_string(shape.tp) +
            " device(s), " + std::to_string(plan.data_parallel) + " replica(s), " +
            std::to_string(plan.schedule.microbatches) + " micro-batches of " + std::to_string(out.microbatch_size) +
            ", recompute " + to_string(found.recompute) + (found.sequence_parallel ? ", sequence parallel" : "") +
            "; found in " + std::to_string(found.seconds) + " s (" + std::to_string(found.candidates) +
            " (replicas, stage size) candidates, " + std::to_string(found.units) + " units, " +
            std::to_string(found.stage_cost_evaluations) + " stage prices, " + std::to_string(found.stage_searches) +
            " stage searches)";
  int by_search = 0;
  for (StageStrategy st : found.stage_strategies) by_search += st == StageStrategy::search ? 1 : 0;
  out.description += "; stage layers: " + std::to_string(by_search) + " by the plain search, " +
                     std::to_string(static_cast<int>(found.stage_strategies.size()) - by_search) +
                     " Megatron-LM tensor parallel";
  r.setup = "stages auto: " + out.description;

  out.data_parallel_devices = settings.problem.procs;
  while (out.data_parallel_devices > 1 && batch % out.data_parallel_devices != 0) --out.data_parallel_devices;
  out.data_parallel = data_parallel_baseline(settings, batch, out.data_parallel_devices);
  out.megatron = megatron_baseline(settings);
  return out;
}

std::string auto_stages_json(const AutoStagesReport& report) {
  const AutoStagesResult& found = report.found;
  const EvaluationReport& r = report.evaluation;
  auto doc = Json::parse(evaluation_json(r));
  auto& p = doc["pipeline"];
  p.erase("tensor_parallel");
  for (std::size_t i = 0; i < found.stage_strategies.size(); ++i)
    p["stages"][i]["strategy"] = to_string(found.stage_strategies[i]);
  p["stage_devices"] = r.megatron->tp;
  p["bubble_s"] = bubble_seconds(*r.pipeline);
  p["stage_search"] = {{"seconds", found.seconds},
                       {"units", found.units},
                       {"candidates", found.candidates},
                       {"stage_cost_evaluations", found.stage_cost_evaluations},
                       {"stage_searches", found.stage_searches},
                       {"bounds_tried", found.bounds_tried}};
  auto breakdown = [](const StepBreakdown& b) {
    return Json{{"compute_s", b.compute_s},
                {"communication_s", b.communication_s},
                {"exposed_communication_s", b.exposed_communication_s}};
  };
  Json baselines = Json::array();
  for (const auto* b : {report.data_parallel ? &*report.data_parallel : nullptr, report.megatron ? &*report.megatron : nullptr}) {
    if (!b) continue;
    baselines.push_back({{"name", b->name},
                         {"fits", b->fits},
                         {"memory_per_device_bytes", b->memory.total()},
                         {"memory_breakdown", kinds(b->memory)},
                         {"step_time_s", b->step_time_s()}});
    if (!b->setup.empty()) baselines.back()["setup"] = b->setup;
  }
  doc["baselines"] = baselines;
  if (const auto& dp = report.data_parallel) {
    doc["data_parallel"] = {{"total_cost", dp->step_time_s()},
                            {"step_time_s", dp->step_time_s()},
                            {"step_breakdown", breakdown(dp->step)},
                            {"devices_used", report.data_parallel_devices},
                            {"fits", dp->fits}};
    doc["speedup_over_data_parallel"] = dp->fits ? Json(report.speedup_over_data_parallel()) : Json(nullptr);
  }
  const Baseline* best = report.best_baseline();
  doc["speedup_over_best_baseline"] = best ? Json(best->step_time_s() / r.step_time_s) : Json(nullptr);
  return doc.dump(1) + "\n";
}

}  // namespace pase
