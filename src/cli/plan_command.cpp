#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"
#include "pase/report/report_output.hpp"

namespace pase::cli {

int plan_command(int argc, char** argv, MpiRuntime& mpi) {
  auto options = problem_options();
  options.add_options()("ranks", po::value<int>(), "predict per-rank memory and traffic for this many ranks (default: the ranks running)");
  po::variables_map vm;
  if (!parse(argc, argv, options,
             "Usage: pase plan MODEL.json [options]\n"
             "Prints what a search would need, before doing it: the largest dependent set, the largest\n"
             "table, the DP work and the memory.",
             vm))
    return exit_ok;
  const SearchSettings settings = settings_from(vm, vm["model"].as<std::string>(), mpi.world().node_size());
  const int ranks = vm.count("ranks") ? vm["ranks"].as<int>() : mpi.size();
  if (ranks < 1) throw std::invalid_argument("--ranks: must be at least 1");
  const SearchRun run = plan_search(settings);
  if (mpi.rank() == 0) print_plan(std::cout, settings, run, ranks);
  return memory_verdict(settings, run, ranks).fits ? exit_ok : exit_memory_limit;
}

}  // namespace pase::cli
