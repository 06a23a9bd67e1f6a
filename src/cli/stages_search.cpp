#include "pase/cli/stages_search.hpp"

#include <iostream>

#include <nlohmann/json.hpp>

#include "pase/model/model_file.hpp"
#include "pase/report/auto_stages_report.hpp"
#include "pase/report/report_output.hpp"
#include "pase/report/report_text.hpp"

namespace pase::cli {

bool stage_search_applies(const SearchSettings& settings) {
  return settings.problem.hardware && load_model(settings.model_file, settings.overrides).params.count("batch") > 0;
}

int search_stages_command(const SearchSettings& settings, const po::variables_map& vm,
                          const DeviceMemoryResult* whole_batch) {
  AutoStagesReport report = auto_stages_report(settings);
  if (!report.found.plan) {
    const std::string fixes =
        "; use more devices (--procs), a smaller batch (--set batch=...), a leaner recipe (--optimizer sgd) or a "
        "larger --memory-per-device";
    if (whole_batch)
      throw MemoryLimitExceeded("device memory: " + whole_batch_verdict(settings, *whole_batch) +
                                "; nor pipelined: " + report.found.nothing_fits + fixes);
    throw MemoryLimitExceeded("pase search --stages auto: " + report.found.nothing_fits + fixes);
  }
  EvaluationReport& r = report.evaluation;
  const std::string reason =
      whole_batch ? "nothing fits holding the whole batch (the smallest strategy needs " +
                        gb(whole_batch->smallest_peak_bytes) + " a device of " +
                        gb(whole_batch->settings.capacity_bytes) + ")"
                  : "";
  if (whole_batch) r.setup = reason + "; searched pipeline stages and micro-batches: " + report.description;

  const Baseline* best = report.best_baseline();
  if (vm.count("quiet")) {
    std::cout << "step_time_s " << r.step_time_s << "\n";
  } else {
    print_evaluation(std::cout, r);
    // Holding the whole batch the plain search's baselines (data parallelism, FSDP, the rule); else
    // the stage search's (data parallelism and the rule by the pipeline step model).
    std::vector<Baseline> shown;
    if (whole_batch) {
      shown = whole_batch->baselines;
    } else {
      if (report.data_parallel) shown.push_back(*report.data_parallel);
      if (report.megatron) shown.push_back(*report.megatron);
    }
    print_baselines(std::cout, shown);
    if (best)
      std::cout << "speedup    " << fixed(best->step_time_s() / r.step_time_s, 4) << "x over " << best->name
                << (best->setup.empty() ? "" : " " + best->setup) << " (" << fixed(best->step_time_s(), 6)
                << " s a step, the fastest baseline that fits; this step "
                << fixed(100 * (r.step_time_s / best->step_time_s() - 1), 2) << "%)\n";
    else
      std::cout << "speedup    none: no baseline fits the device memory\n";
  }
  if (vm.count("output")) {
    auto doc = nlohmann::ordered_json::parse(auto_stages_json(report));
    if (whole_batch) {
      // Why the stage search ran: the plain search's verdict holding the whole batch, and its baselines.
      auto& f = doc["stages_fallback"];
      f = {{"reason", reason},
           {"whole_batch_smallest_bytes", whole_batch->smallest_peak_bytes},
           {"capacity_bytes", whole_batch->settings.capacity_bytes}};
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
