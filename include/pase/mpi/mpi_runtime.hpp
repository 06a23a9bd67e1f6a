#pragma once
// MPI for the whole process: initialised when an MPI launcher (mpirun, srun) started the process,
// and then the communicator of all ranks; a plain `pase` run is one process without MPI.
// src/mpi/ is the only code that calls MPI. Under a launcher, a rank whose launcher dies stops
// (launcher_watch.hpp).

#include <memory>

#include "pase/mpi/communicator.hpp"
#include "pase/mpi/launcher_watch.hpp"

namespace pase {

class MpiRuntime {
 public:
  MpiRuntime(int& argc, char**& argv);
  ~MpiRuntime();
  MpiRuntime(const MpiRuntime&) = delete;
  MpiRuntime& operator=(const MpiRuntime&) = delete;

  bool active() const { return world_.uses_mpi(); }
  int rank() const { return world_.rank(); }
  int size() const { return world_.size(); }
  // All ranks (one process without MPI).
  Communicator& world() { return world_; }
  Collectives& collectives() { return world_; }
  [[noreturn]] void abort(int exit_code) { world_.abort(exit_code); }

  // True when an MPI launcher started this process.
  static bool launched_by_mpi();

 private:
  std::unique_ptr<LauncherWatch> watch_;  // from before MPI_Init to after MPI_Finalize
  bool owns_ = false;  // initialised MPI here, so finalises it
  Communicator world_;
};

}  // namespace pase
