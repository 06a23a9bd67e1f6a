#pragma once
// The only place that calls MPI. MPI is initialised when the process was started by an MPI
// launcher (mpirun, srun); a plain `pase` run is one process without MPI.

#include <memory>

#include "pase/search/collectives.hpp"

namespace pase {

class MpiRuntime {
 public:
  MpiRuntime(int& argc, char**& argv);
  ~MpiRuntime();
  MpiRuntime(const MpiRuntime&) = delete;
  MpiRuntime& operator=(const MpiRuntime&) = delete;

  bool active() const { return active_; }
  int rank() const { return collectives_->rank(); }
  int size() const { return collectives_->size(); }
  Collectives& collectives() { return *collectives_; }
  // Ends every rank at once, for errors that other ranks may not see (they would wait forever).
  [[noreturn]] void abort(int exit_code);

  // True when an MPI launcher started this process.
  static bool launched_by_mpi();

 private:
  bool active_ = false;
  bool owns_ = false;  // initialised MPI here, so finalises it
  std::unique_ptr<Collectives> collectives_;
};

}  // namespace pase
