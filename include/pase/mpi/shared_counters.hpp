#pragma once
// 64-bit counters kept on rank 0 that every rank changes atomically (an MPI window with
// MPI_Fetch_and_op), without rank 0 taking part. Without MPI they are plain local counters.

#include <cstdint>
#include <vector>

#include "pase/mpi/communicator.hpp"

namespace pase {

class SharedCounters {
 public:
  // Collective: `count` counters, all zero when the constructor returns on any rank.
  SharedCounters(Communicator& comm, std::size_t count);
  ~SharedCounters();  // collective
  SharedCounters(const SharedCounters&) = delete;
  SharedCounters& operator=(const SharedCounters&) = delete;

  // Adds `value` to counter `slot`; returns the value before.
  std::int64_t fetch_add(std::size_t slot, std::int64_t value);
  std::int64_t read(std::size_t slot);
  std::vector<std::int64_t> read_all();  // each read atomically

 private:
  std::size_t count_;
  std::vector<std::int64_t> local_;  // without MPI
  std::int64_t* base_ = nullptr;
  void* window_ = nullptr;  // MPI_Win, allocated
};

}  // namespace pase
