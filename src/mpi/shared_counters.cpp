#include "pase/mpi/shared_counters.hpp"

#include <mpi.h>

#include "check.hpp"

namespace pase {

using mpi_detail::check;

namespace {

MPI_Win& win(void* w) { return *static_cast<MPI_Win*>(w); }

}  // namespace

SharedCounters::SharedCounters(Communicator& comm, std::size_t count) : count_(count) {
  if (!comm.uses_mpi()) {
    local_.assign(count, 0);
    return;
  }
  const MPI_Aint bytes = comm.rank() == 0 ? static_cast<MPI_Aint>(count * sizeof(std::int64_t)) : 0;
  window_ = new MPI_Win;
  check(MPI_Win_allocate(bytes, sizeof(std::int64_t), MPI_INFO_NULL, mpi_detail::comm(comm.comm_), &base_,
                         &win(window_)),
        "MPI_Win_allocate");
  check(MPI_Win_set_errhandler(win(window_), MPI_ERRORS_RETURN), "MPI_Win_set_errhandler");
  if (comm.rank() == 0)
    for (std::size_t i = 0; i < count; ++i) base_[i] = 0;
  comm.barrier();  // the counters are zero before anyone uses them
  check(MPI_Win_lock_all(MPI_MODE_NOCHECK, win(window_)), "MPI_Win_lock_all");
}

SharedCounters::~SharedCounters() {
  if (window_ == nullptr) return;
  MPI_Win_unlock_all(win(window_));
  MPI_Win_free(&win(window_));
  delete static_cast<MPI_Win*>(window_);
}

std::int64_t SharedCounters::fetch_add(std::size_t slot, std::int64_t value) {
  if (window_ == nullptr) {
    const std::int64_t before = local_.at(slot);
    local_[slot] += value;
    return before;
  }
  std::int64_t before = 0;
  check(MPI_Fetch_and_op(&value, &before, MPI_INT64_T, 0, static_cast<MPI_Aint>(slot), MPI_SUM, win(window_)),
        "MPI_Fetch_and_op");
  check(MPI_Win_flush(0, win(window_)), "MPI_Win_flush");
  return before;
}

std::int64_t SharedCounters::read(std::size_t slot) {
  if (window_ == nullptr) return local_.at(slot);
  std::int64_t zero = 0, value = 0;
  check(MPI_Fetch_and_op(&zero, &value, MPI_INT64_T, 0, static_cast<MPI_Aint>(slot), MPI_NO_OP, win(window_)),
        "MPI_Fetch_and_op");
  check(MPI_Win_flush(0, win(window_)), "MPI_Win_flush");
  return value;
}

std::vector<std::int64_t> SharedCounters::read_all() {
  if (window_ == nullptr) return local_;
  const int count = static_cast<int>(count_);
  std::vector<std::int64_t> values(count_);
  // Atomic reads (MPI_NO_OP), so they do not conflict with the other ranks' fetch-and-adds.
  check(MPI_Get_accumulate(nullptr, 0, MPI_INT64_T, values.data(), count, MPI_INT64_T, 0, 0, count, MPI_INT64_T,
                           MPI_NO_OP, win(window_)),
        "MPI_Get_accumulate");
  check(MPI_Win_flush(0, win(window_)), "MPI_Win_flush");
  return values;
}

}  // namespace pase
