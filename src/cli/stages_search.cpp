#include "pase/cli/stages_search.hpp"

#include <iostream>

#include <nlohmann/json.hpp>

#include "pase/model/model_file.hpp"
#include "pase/report/pipeline_report.hpp"
#include "pase/report/report_output.hpp"
#include "pase/stages/auto_stages.hpp"

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

  if (vm.count("quiet"))
    std::cout << "step_time_s " << r.step_time_s << "\n";
  else
    print_evaluation(std::cout, r);
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
    write_text_file(vm["output"].as<std::string>(), doc.dump(1) + "\n");
  }
  return exit_ok;
}

}  // namespace pase::cli
