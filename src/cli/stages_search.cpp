#include "pase/cli/stages_search.hpp"

#include <iostream>

#include <nlohmann/json.hpp>

#include "pase/model/model_file.hpp"
#include "pase/report/pipeline_report.hpp"
#include "pase/report/report_output.hpp"
#include "pase/report/report_text.hpp"
#include "pase/stages/auto_stages.hpp"

namespace pase::cli {

StagesMode stages_mode(const po::variables_map& vm) {
  if (!vm.count("stages")) return StagesMode::when_needed;
  const std::string text = vm["stages"].as<std::string>();
  if (text == "when-needed") return StagesMode::when_needed;
  if (text == "auto") return StagesMode::always;
  if (text == "none") return StagesMode::never;
  throw std::invalid_argument("--stages: unknown value '" + text +
                              "'; use 'when-needed' (the default: search pipeline stages when nothing fits holding "
                              "the whole batch), 'auto' (always search pipeline stages) or 'none'");
}

bool stage_search_applies(const SearchSettings& settings) {
  return settings.problem.hardware && load_model(settings.model_file, settings.overrides).params.count("batch") > 0;
}

int search_stages_command(const SearchSettings& settings, const po::variables_map& vm,
                          const DeviceMemoryResult* whole_batch) {
  const AutoStagesResult found = search_auto_stages(settings);
  if (!found.plan) {
    const std::string fixes =
        "; use more devices (--procs), a smaller batch (--set batch=...), a leaner recipe (--optimizer sgd) or a "
        "larger --memory-per-device";
    if (whole_batch)
      throw MemoryLimitExceeded("device memory: " + whole_batch_verdict(settings, *whole_batch) +
                                "; nor pipelined: " + found.nothing_fits + fixes);
    throw MemoryLimitExceeded("pase search --stages auto: " + found.nothing_fits + fixes);
  }
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
  const std::string reason =
      whole_batch ? "nothing fits holding the whole batch (the smallest strategy needs " +
                        gb(whole_batch->smallest_peak_bytes) + " a device of " +
                        gb(whole_batch->settings.capacity_bytes) + ")"
                  : "";
  r.setup = (whole_batch ? reason + "; searched pipeline stages and micro-batches: " : "stages auto: ") +
            std::to_string(plan.schedule.stages) + " stage(s) of " + std::to_string(shape.tp) + " device(s), " +
            std::to_string(plan.data_parallel) + " replica(s), " + std::to_string(plan.schedule.microbatches) +
            " micro-batches of " + std::to_string(microbatch) + ", recompute " + to_string(found.recompute) +
            (found.sequence_parallel ? ", sequence parallel" : "") +
            "; found in " + std::to_string(found.seconds) + " s (" +
            std::to_string(found.candidates) + " (replicas, stage size) candidates, " + std::to_string(found.units) +
            " units, " + std::to_string(found.stage_cost_evaluations) + " stage prices, " +
            std::to_string(found.stage_searches) + " stage searches)";
  int by_search = 0;
  for (StageStrategy st : found.stage_strategies) by_search += st == StageStrategy::search ? 1 : 0;
  r.setup += "; stage layers: " + std::to_string(by_search) + " by the plain search, " +
             std::to_string(static_cast<int>(found.stage_strategies.size()) - by_search) + " Megatron-LM tensor parallel";

  // The fastest baseline that fits (the Megatron-LM rule of thumb has micro-batches and stages too).
  const Baseline* best = nullptr;
  if (whole_batch)
    for (const Baseline& b : whole_batch->baselines)
      if (b.fits && (!best || b.step_time_s() < best->step_time_s())) best = &b;
  if (vm.count("quiet")) {
    std::cout << "step_time_s " << r.step_time_s << "\n";
  } else {
    print_evaluation(std::cout, r);
    if (whole_batch && best)
      std::cout << "speedup    " << fixed(best->step_time_s() / r.step_time_s, 3) << "x over " << best->name
                << (best->setup.empty() ? "" : " " + best->setup) << " (" << fixed(best->step_time_s() * 1e3, 4)
                << " ms a step, the fastest baseline that fits)\n";
    else if (whole_batch)
      std::cout << "speedup    none: no baseline fits the device memory\n";
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
    if (whole_batch) {
      // Why the stage search ran: the plain search's verdict, and what a user would otherwise run.
      auto& f = doc["stages_fallback"];
      f = {{"reason", reason},
           {"whole_batch_smallest_bytes", whole_batch->smallest_peak_bytes},
           {"capacity_bytes", whole_batch->settings.capacity_bytes},
           {"speedup_over_best_baseline", best ? nlohmann::ordered_json(best->step_time_s() / r.step_time_s)
                                               : nlohmann::ordered_json(nullptr)}};
      f["baselines"] = nlohmann::ordered_json::array();
      for (const Baseline& b : whole_batch->baselines) {
        f["baselines"].push_back({{"name", b.name},
                                  {"fits", b.fits},
                                  {"memory_per_device_bytes", b.memory.total()},
                                  {"step_time_s", b.step_time_s()}});
        if (!b.setup.empty()) f["baselines"].back()["setup"] = b.setup;
      }
    }
    write_text_file(vm["output"].as<std::string>(), doc.dump(1) + "\n");
  }
  return exit_ok;
}

}  // namespace pase::cli
