#include "pase/mpi/mpi_runtime.hpp"

#include <mpi.h>

#include <cstdlib>

#include "check.hpp"

namespace pase {

using mpi_detail::check;
using mpi_detail::comm;

bool MpiRuntime::launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"})
    if (std::getenv(name)) return true;
  return false;
}

MpiRuntime::MpiRuntime(int& argc, char**& argv) {
  if (!launched_by_mpi()) return;
  watch_ = std::make_unique<LauncherWatch>();
  int initialised = 0;
  check(MPI_Initialized(&initialised), "MPI_Initialized");
  if (!initialised) {
    int provided = 0;
    check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    owns_ = true;
  }
  // Our own duplicate of MPI_COMM_WORLD, whose errors are returned (and thrown), so that pase
  // neither disturbs nor is disturbed by other MPI code in the process.
  world_.comm_ = new MPI_Comm(MPI_COMM_NULL);
  check(MPI_Comm_dup(MPI_COMM_WORLD, &comm(world_.comm_)), "MPI_Comm_dup");
  check(MPI_Comm_set_errhandler(comm(world_.comm_), MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(comm(world_.comm_), &world_.rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm(world_.comm_), &world_.size_), "MPI_Comm_size");
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(comm(world_.comm_), MPI_COMM_TYPE_SHARED, world_.rank_, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  check(MPI_Comm_size(node, &world_.node_size_), "MPI_Comm_size");
  check(MPI_Comm_free(&node), "MPI_Comm_free");
}

MpiRuntime::~MpiRuntime() {
  if (world_.comm_ == nullptr) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (finalised) return;
  if (comm(world_.comm_) != MPI_COMM_NULL) MPI_Comm_free(&comm(world_.comm_));
  if (owns_) MPI_Finalize();
}

}  // namespace pase
