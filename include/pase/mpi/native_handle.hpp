#pragma once
// The MPI communicator itself, for libraries that take one (the MPI-IO driver of parallel HDF5).
// Includes <mpi.h>; only the code that hands the communicator to such a library includes it.

#include <mpi.h>

#include "pase/mpi/communicator.hpp"

namespace pase {

void* native_handle(Communicator& comm);  // the MPI_Comm*; throws when `comm` uses no MPI

inline MPI_Comm mpi_comm(Communicator& comm) { return *static_cast<MPI_Comm*>(native_handle(comm)); }

}  // namespace pase
