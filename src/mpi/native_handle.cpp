#include "pase/mpi/native_handle.hpp"

#include <stdexcept>

namespace pase {

void* native_handle(Communicator& comm) {
  if (comm.comm_ == nullptr) throw std::logic_error("native_handle: this process runs without MPI");
  return comm.comm_;
}

}  // namespace pase
