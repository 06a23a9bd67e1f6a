#include <iostream>

#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/checkpoint/checkpoint_summary.hpp"
#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"

namespace pase::cli {

int inspect_command(int argc, char** argv, MpiRuntime& mpi) {
  po::options_description options("Options");
  po::variables_map vm;
  if (!parse(argc, argv, options,
             "Usage: pase inspect CHECKPOINT.h5\n"
             "Shows what a checkpoint written by 'pase search --checkpoint' holds (model, cluster, progress,\n"
             "size) and verifies all its checksums. Exit code 0 when it is valid, 2 when it is not.",
             vm, true, "CHECKPOINT file"))
    return exit_ok;
  CheckpointReader reader(vm["model"].as<std::string>(), mpi.collectives());  // refuses unreadable files
  std::string invalid;
  try {
    reader.verify();
  } catch (const CheckpointRefused& e) {
    invalid = e.what();
  }
  reader.close();
  if (mpi.rank() == 0) print_checkpoint_summary(std::cout, reader, invalid);
  return invalid.empty() ? exit_ok : exit_bad_input;
}

}  // namespace pase::cli
