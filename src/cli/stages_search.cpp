#include "pase/cli/stages_search.hpp"

#include <iostream>

#include "pase/report/auto_stages_report.hpp"
#include "pase/report/report_output.hpp"

namespace pase::cli {

bool stages_auto(const po::variables_map& vm) {
  if (!vm.count("stages")) return false;
  const std::string text = vm["stages"].as<std::string>();
  if (text == "auto") return true;
  if (text == "none") return false;
  throw std::invalid_argument("--stages: unknown value '" + text + "'; use 'auto' (search pipeline stages) or 'none'");
}

int search_stages_command(const SearchSettings& settings, const po::variables_map& vm) {
  const AutoStagesReport report = auto_stages_report(settings);
  if (!report.found.plan)
    throw MemoryLimitExceeded("pase search --stages auto: " + report.found.nothing_fits +
                              "; use more devices (--procs), a smaller batch (--set batch=...) or a "
                              "leaner recipe (--optimizer sgd)");
  const EvaluationReport& r = report.evaluation;
  if (vm.count("quiet"))
    std::cout << "step_time_s " << r.step_time_s << "\n";
  else
    print_evaluation(std::cout, r);
  if (vm.count("output")) write_text_file(vm["output"].as<std::string>(), auto_stages_json(report));
  return exit_ok;
}

}  // namespace pase::cli
