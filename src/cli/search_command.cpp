#include <iostream>

#include "pase/checkpoint/checkpointed_search.hpp"
#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"
#include "pase/cli/stages_search.hpp"
#include "pase/io/output_path.hpp"
#include "pase/report/report_output.hpp"

namespace pase::cli {

namespace {

CheckpointOptions checkpoint_options(const po::variables_map& vm) {
  CheckpointOptions c;
  if (vm.count("checkpoint")) c.checkpoint = vm["checkpoint"].as<std::string>();
  if (vm.count("resume")) c.resume = vm["resume"].as<std::string>();
  if (vm.count("checkpoint-every")) {
    if (c.checkpoint.empty()) throw std::invalid_argument("--checkpoint-every: needs --checkpoint FILE.h5 to write to");
    c.every_seconds = vm["checkpoint-every"].as<double>();
    if (!(c.every_seconds >= 0))
      throw std::invalid_argument("--checkpoint-every: must be 0 (after every DP step) or a number of seconds");
  }
  return c;
}

}  // namespace

int search_command(int argc, char** argv, MpiRuntime& mpi) {
  auto options = problem_options();
  options.add_options()("output,o", po::value<std::string>(), "also write the report as JSON to this file")(
      "quiet,q", "print only the total cost line")(
      "stages", po::value<std::string>()->default_value("when-needed"),
      "pipeline stages: auto searches stage cuts, stage devices, data-parallel replicas and micro-batches, "
      "every stage's layers by the plain search (README.md, \"Pipeline stages in the search\"); when-needed "
      "runs the plain search and, only when no strategy fits the device memory holding the whole batch, the "
      "stage search (exit 3 when neither fits); none: the plain search only (exit 3 when nothing fits)");
  po::options_description checkpoints("Checkpoints (src/checkpoint/README.md)");
  checkpoints.add_options()(
      "checkpoint", po::value<std::string>(),
      "write the search state to this HDF5 file, replaced whole each time; removed when the search ends")(
      "checkpoint-every", po::value<double>(),
      "seconds between checkpoints (default 600; 0: after every DP step). Also on SIGUSR1 (and go on) and "
      "SIGTERM, SIGINT, SIGUSR2 (and stop with exit code 75)")(
      "resume", po::value<std::string>(),
      "continue the search saved in this checkpoint (same model and options; "
      "any number of ranks and threads)");
  options.add(checkpoints);
  po::variables_map vm;
  if (!parse(argc, argv, options,
             "Usage: pase search MODEL.json [options]\n"
             "Finds the cheapest parallelization strategy of MODEL on --procs devices and compares it with\n"
             "data parallelism. Under mpirun or srun the DP tables are split among the ranks.",
             vm))
    return exit_ok;
  const std::string model = vm["model"].as<std::string>();
  if (vm.count("checkpoint")) check_data_file_path("--checkpoint", vm["checkpoint"].as<std::string>(), {model});
  if (vm.count("output")) {
    std::vector<std::string> inputs{model};
    if (vm.count("checkpoint")) inputs.push_back(vm["checkpoint"].as<std::string>());
    check_output_path("--output", vm["output"].as<std::string>(), inputs);
  }
  const SearchSettings settings = settings_from(vm, model, mpi.world().node_size());
  if (settings.stages == StageMode::automatic) {
    if (vm.count("checkpoint") || vm.count("resume"))
      throw std::invalid_argument("--stages auto: checkpoints are of the plain search; drop --checkpoint/--resume");
    return mpi.rank() == 0 ? search_stages_command(settings, vm) : exit_ok;
  }
  CheckpointedSearch search(checkpoint_options(vm), mpi.collectives(), vm.count("quiet") ? nullptr : &std::cerr);
  const SearchRun run = search.run(settings);
  std::optional<DeviceMemoryResult> memory;
  if (settings.device_memory.capacity_bytes > 0) {
    memory = search_within_capacity(settings, run, mpi.collectives());
    if (!memory->feasible) {
      search.finish();
      // Micro-batches are the stage search's: it may fit what the whole batch at once cannot.
      if (settings.stages == StageMode::when_needed && stage_search_applies(settings))
        return mpi.rank() == 0 ? search_stages_command(settings, vm, &*memory) : exit_ok;
      throw MemoryLimitExceeded(does_not_fit_message(settings, *memory));
    }
  }
  if (mpi.rank() == 0) {
    const SearchReport report = make_report(settings, run, memory ? &*memory : nullptr);
    if (vm.count("quiet"))
      std::cout << "total_cost " << report.total_cost << "\n";
    else
      print_report(std::cout, report);
    if (vm.count("output")) write_text_file(vm["output"].as<std::string>(), report_json(report));
  }
  search.finish();
  return exit_ok;
}

}  // namespace pase::cli
