#pragma once
// Turns an MPI error code into an exception (the communicators return errors instead of aborting).

#include <mpi.h>

#include <stdexcept>
#include <string>

namespace pase::mpi_detail {

inline void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string("MPI: ") + call + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

inline MPI_Comm& comm(void* c) { return *static_cast<MPI_Comm*>(c); }

}  // namespace pase::mpi_detail
