#include <iostream>

#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"
#include "pase/report/report_output.hpp"

namespace pase::cli {

int search_command(int argc, char** argv, MpiRuntime& mpi) {
  auto options = problem_options();
  options.add_options()("output,o", po::value<std::string>(), "also write the report as JSON to this file")
      ("quiet,q", "print only the total cost line");
  po::variables_map vm;
  if (!parse(argc, argv, options,
             "Usage: pase search MODEL.json [options]\n"
             "Finds the cheapest parallelization strategy of MODEL on --procs devices and compares it with\n"
             "data parallelism. Under mpirun or srun the DP tables are split among the ranks.",
             vm))
    return exit_ok;
  const SearchSettings settings = settings_from(vm, vm["model"].as<std::string>());
  const SearchRun run = run_search(settings, mpi.collectives());
  if (mpi.rank() != 0) return exit_ok;
  const SearchReport report = make_report(settings, run);
  if (vm.count("quiet")) std::cout << "total_cost " << report.total_cost << "\n";
  else print_report(std::cout, report);
  if (vm.count("output")) write_text_file(vm["output"].as<std::string>(), report_json(report));
  return exit_ok;
}

}  // namespace pase::cli
