#include <iostream>

#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"
#include "pase/report/report_output.hpp"

namespace pase::cli {

int plan_command(int argc, char** argv) {
  po::variables_map vm;
  if (!parse(argc, argv, problem_options(),
             "Usage: pase plan MODEL.json [options]\n"
             "Prints what a search would need, before doing it: the largest dependent set, the largest\n"
             "table, the DP work and the memory.",
             vm))
    return exit_ok;
  const SearchSettings settings = settings_from(vm, vm["model"].as<std::string>());
  const SearchRun run = plan_search(settings);
  print_plan(std::cout, settings, run);
  const bool fits = settings.max_memory_bytes == 0 || run.plan.totals.peak_bytes <= settings.max_memory_bytes;
  return fits ? exit_ok : exit_memory_limit;
}

}  // namespace pase::cli
