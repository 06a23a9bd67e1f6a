#include "pase/cli/stages_search.hpp"

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "pase/model/model_file.hpp"
#include "pase/report/pipeline_report.hpp"
#include "pase/report/report_output.hpp"
#include "pase/stages/auto_stages.hpp"
#include "pase/stages/megatron.hpp"

namespace pase::cli {

bool stages_auto(const po::variables_map& vm) {
  if (!vm.count("stages")) return false;
  const std::string text = vm["stages"].as<std::string>();
  if (text == "auto") return true;
  if (text == "none") return false;
  throw std::invalid_argument("--stages: unknown value '" + text + "'; use 'auto' (search pipeline stages) or 'none'");
}

int search_stages_command(const SearchSettings& settings, const po::variables_map& vm) {
  const AutoStagesResult found = search_auto_stages(settings);
  if (!found.plan) throw MemoryLimitExceeded("pase search --stages auto: " + found.nothing_fits +
                                             "; use more devices (--procs), a smaller batch (--set batch=...) or a "
                                             "leaner recipe (--optimizer sgd)");
  const PipelinePlan& plan = *found.plan;
  const Network network = load_model(settings.model_file, settings.overrides);
  const std::int64_t batch = network.params.at("batch");
  const std::int64_t microbatch = batch / (plan.data_parallel * plan.schedule.microbatches);
  std::vector<std::string> overrides = settings.overrides;
  overrides.push_back("batch=" + std::to_string(microbatch));

  MegatronSetup shape;  // how the printer names the pipeline's shape: a stage replica's devices as tp
  shape.tp = plan.stages.front().devices;
  shape.pp = plan.schedule.stages;
  shape.dp = plan.data_parallel;
  shape.microbatch = microbatch;
  shape.recompute = found.recompute;
  shape.sequence_parallel = found.sequence_parallel;
  const double model_flop =
      model_flop_per_step(load_model(settings.model_file, overrides)) * static_cast<double>(batch / microbatch);
  EvaluationReport r = pipeline_evaluation(settings, network, shape, plan, model_flop);
  r.setup = "stages auto: " + std::to_string(plan.schedule.stages) + " stage(s) of " + std::to_string(shape.tp) +
            " device(s), " + std::to_string(plan.data_parallel) + " replica(s), " +
            std::to_string(plan.schedule.microbatches) + " micro-batches of " + std::to_string(microbatch) +
            ", recompute " + to_string(found.recompute) + (found.sequence_parallel ? ", sequence parallel" : "") +
            "; found in " + std::to_string(found.seconds) + " s (" +
            std::to_string(found.candidates) + " (replicas, stage size) candidates, " + std::to_string(found.units) +
            " units, " + std::to_string(found.stage_cost_evaluations) + " stage prices, " +
            std::to_string(found.stage_searches) + " stage searches)";
  int by_search = 0;
  for (StageStrategy st : found.stage_strategies) by_search += st == StageStrategy::search ? 1 : 0;
  r.setup += "; stage layers: " + std::to_string(by_search) + " by the plain search, " +
             std::to_string(static_cast<int>(found.stage_strategies.size()) - by_search) + " Megatron-LM tensor parallel";

  // The baseline an expert team would run: the Megatron-LM rule of thumb, as pase evaluate --megatron
  // auto prices it (data parallelism and FSDP hold the whole batch at once: the plain search's).
  const auto rule = megatron_rule_of_thumb(settings.model_file, settings.overrides, settings.problem.procs,
                                           *settings.problem.hardware, settings.device_memory.recipe,
                                           settings.device_memory.reserve_bytes, settings.device_memory.capacity_bytes);
  const bool rule_fits = rule && rule->fits;
  const double speedup = rule_fits ? rule->plan.step_time_s() / r.step_time_s : 0.0;

  if (vm.count("quiet")) {
    std::cout << "step_time_s " << r.step_time_s << "\n";
  } else {
    print_evaluation(std::cout, r);
    char line[160];
    if (rule_fits)
      std::snprintf(line, sizeof line, "speedup    %.4fx over the Megatron-LM rule of thumb (%s: %.6g s a step; this step %+.2f%%)",
                    speedup, to_string(rule->setup).c_str(), rule->plan.step_time_s(),
                    100.0 * (r.step_time_s / rule->plan.step_time_s() - 1.0));
    else
      std::snprintf(line, sizeof line, "speedup    none over the Megatron-LM rule of thumb: %s",
                    rule ? "no setup of it fits the device memory" : "the model is not a transformer it can cut");
    std::cout << line << "\n";
  }
  if (vm.count("output")) {
    auto doc = nlohmann::ordered_json::parse(evaluation_json(r));
    auto& p = doc["pipeline"];
    p.erase("tensor_parallel");
    for (std::size_t i = 0; i < found.stage_strategies.size(); ++i)
      p["stages"][i]["strategy"] = to_string(found.stage_strategies[i]);
    p["stage_devices"] = shape.tp;
    p["stage_search"] = {{"seconds", found.seconds},
                         {"units", found.units},
                         {"candidates", found.candidates},
                         {"stage_cost_evaluations", found.stage_cost_evaluations},
                         {"stage_searches", found.stage_searches},
                         {"bounds_tried", found.bounds_tried}};
    nlohmann::ordered_json baselines = nlohmann::ordered_json::array();
    if (rule)
      baselines.push_back({{"name", "megatron"},
                           {"setup", to_string(rule->setup)},
                           {"fits", rule->fits},
                           {"step_time_s", rule->plan.step_time_s()},
                           {"memory_bytes_per_device", rule->plan.peak_memory().total()}});
    doc["baselines"] = baselines;
    doc["speedup_over_best_baseline"] = rule_fits ? nlohmann::ordered_json(speedup) : nlohmann::ordered_json(nullptr);
    write_text_file(vm["output"].as<std::string>(), doc.dump(1) + "\n");
  }
  return exit_ok;
}

}  // namespace pase::cli
