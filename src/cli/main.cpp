#include "pase/cli/commands.hpp"

int main(int argc, char** argv) {
  pase::MpiRuntime mpi(argc, argv);
  return pase::cli::run(argc, argv, mpi);
}
