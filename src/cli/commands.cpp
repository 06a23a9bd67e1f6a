#include "pase/cli/commands.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/cli/options.hpp"
#include "pase/report/search_report.hpp"

namespace pase::cli {

namespace {

constexpr const char* usage =
    "Usage: pase COMMAND [options]\n"
    "\n"
    "Finds how to parallelize the training of a deep neural network across devices (PaSE).\n"
    "\n"
    "Commands:\n"
    "  search MODEL.json   find the best strategy and compare it with data parallelism\n"
    "  plan MODEL.json     print the DP's size and memory before searching\n"
    "  evaluate MODEL.json price a given setup (--megatron tp=8,pp=8,... or --strategy FILE) as a search reports\n"
    "  import MODEL.onnx   write an ONNX file or a Hugging Face config.json as a pase model file\n"
    "  bench               time searches of the shipped networks\n"
    "  inspect FILE.h5     show what a search checkpoint holds and whether it is valid\n"
    "  sweep SPEC.yaml     search every point of a sweep spec into an HDF5 table (resumable, MPI)\n"
    "  export RESULTS.h5   write a sweep's table as CSV\n"
    "  report RESULTS.h5   speedup over data parallelism against the device count (table, PNG)\n"
    "  merge A.h5 B.h5     join results files of one sweep spec\n"
    "  calibrate M.json    fit a cluster file to pase_profile.py's measurements\n"
    "  check-prediction MEASURED.csv\n"
    "                      predicted against measured training step times\n"
    "\n"
    "Run 'pase COMMAND --help' for a command's options.\n";

}  // namespace

int run(int argc, char** argv, MpiRuntime& mpi) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::cout << usage;
    return argc < 2 ? exit_bad_input : exit_ok;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::cout << "pase " PASE_VERSION << (PASE_TEST_HOOKS ? " (test hooks compiled in)" : "") << "\n";
    return exit_ok;
  }
  const std::string command = argv[1];
  // Input errors are found the same way on every rank: rank 0 reports them and all ranks return.
  // Any other error may be one rank's alone, so it ends the whole job.
  auto report = [&](const std::exception& e) {
    if (mpi.rank() == 0) std::cerr << "pase " << command << ": " << e.what() << "\n";
  };
  try {
    if (command == "search") return search_command(argc - 1, argv + 1, mpi);
    if (command == "plan") return plan_command(argc - 1, argv + 1, mpi);
    if (command == "evaluate") return evaluate_command(argc - 1, argv + 1, mpi);
    if (command == "import") return import_command(argc - 1, argv + 1, mpi);
    if (command == "bench") return bench_command(argc - 1, argv + 1, mpi);
    if (command == "inspect") return inspect_command(argc - 1, argv + 1, mpi);
    if (command == "sweep") return sweep_command(argc - 1, argv + 1, mpi);
    if (command == "export") return export_command(argc - 1, argv + 1);
    if (command == "report") return report_command(argc - 1, argv + 1);
    if (command == "merge") return merge_command(argc - 1, argv + 1);
    if (command == "calibrate") return calibrate_command(argc - 1, argv + 1);
    if (command == "check-prediction") return check_prediction_command(argc - 1, argv + 1);
    if (mpi.rank() == 0) std::cerr << "pase: unknown command '" << command << "' (try 'pase --help')\n";
    return exit_bad_input;
  } catch (const po::error& e) {
    report(e);
    return exit_bad_input;
  } catch (const std::invalid_argument& e) {
    report(e);
    return exit_bad_input;
  } catch (const MemoryLimitExceeded& e) {
    report(e);
    return exit_memory_limit;
  } catch (const SearchInterrupted& e) {  // every rank alike, after its checkpoint was written
    report(e);
    return exit_interrupted;
  } catch (const CheckpointWriteAborted& e) {  // every rank alike; HDF5 must not shut down
    report(e);
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(exit_failure);
  } catch (const CheckpointWriteFailed& e) {  // every rank alike
    report(e);
    return exit_failure;
  } catch (const std::exception& e) {
    std::cerr << "pase " << command << " (rank " << mpi.rank() << "): " << e.what() << "\n";
    if (mpi.size() > 1) mpi.abort(exit_failure);
    return exit_failure;
  }
}

}  // namespace pase::cli
