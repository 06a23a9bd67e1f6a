#pragma once


#include "pase/mpi/mpi_runtime.hpp"

namespace pase::cli {

// Each takes the arguments after the subcommand name and returns the process exit code.
int search_command(int argc, char** argv, MpiRuntime& mpi);
int plan_command(int argc, char** argv, MpiRuntime& mpi);
int import_command(int argc, char** argv, MpiRuntime& mpi);
int bench_command(int argc, char** argv, MpiRuntime& mpi);
int inspect_command(int argc, char** argv, MpiRuntime& mpi);
// The sweep commands run their own work distribution when started under MPI.
int sweep_command(int argc, char** argv, MpiRuntime& mpi);
int export_command(int argc, char** argv);
int report_command(int argc, char** argv);
int merge_command(int argc, char** argv);
int calibrate_command(int argc, char** argv);
int check_prediction_command(int argc, char** argv);
int evaluate_command(int argc, char** argv, MpiRuntime& mpi);

// The whole command line: `pase SUBCOMMAND ...`.
int run(int argc, char** argv, MpiRuntime& mpi);

}  // namespace pase::cli
