#include "pase/mpi/communicator.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "check.hpp"

namespace pase {

using mpi_detail::check;
using mpi_detail::comm;

Communicator::~Communicator() {
  if (comm_ == nullptr) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised && comm(comm_) != MPI_COMM_NULL) MPI_Comm_free(&comm(comm_));
  delete static_cast<MPI_Comm*>(comm_);
}

void Communicator::allgather_blocks(double* data, const std::vector<std::uint64_t>& offsets,
                                    const std::vector<std::uint64_t>& counts) {
  if (comm_ == nullptr) return;
  bool fits_int = true;
  for (int r = 0; r < size_; ++r) fits_int = fits_int && offsets[r] + counts[r] <= INT_MAX;
  if (fits_int) {
    std::vector<int> c(size_), d(size_);
    for (int r = 0; r < size_; ++r) {
      c[r] = static_cast<int>(counts[r]);
      d[r] = static_cast<int>(offsets[r]);
    }
    check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, c.data(), d.data(), MPI_DOUBLE, comm(comm_)),
          "MPI_Allgatherv");
    return;
  }
  constexpr std::uint64_t chunk = 1ull << 27;  // blocks of 2^31 elements or more go in pieces
  for (int r = 0; r < size_; ++r)
    for (std::uint64_t done = 0; done < counts[r]; done += chunk) {
      const auto n = static_cast<int>(std::min(chunk, counts[r] - done));
      check(MPI_Bcast(data + offsets[r] + done, n, MPI_DOUBLE, r, comm(comm_)), "MPI_Bcast");
    }
}

std::int64_t Communicator::broadcast(std::int64_t value, int root) {
  if (comm_ != nullptr) check(MPI_Bcast(&value, 1, MPI_INT64_T, root, comm(comm_)), "MPI_Bcast");
  return value;
}

std::vector<RankStats> Communicator::all_stats(const RankStats& mine) {
  if (comm_ == nullptr) return {mine};
  std::vector<RankStats> all(size_);
  check(MPI_Allgather(&mine, sizeof(RankStats), MPI_BYTE, all.data(), sizeof(RankStats), MPI_BYTE, comm(comm_)),
        "MPI_Allgather");
  return all;
}

std::uint64_t Communicator::allreduce_or(std::uint64_t bits) {
  if (comm_ == nullptr) return bits;
  std::uint64_t all = 0;
  check(MPI_Allreduce(&bits, &all, 1, MPI_UINT64_T, MPI_BOR, comm(comm_)), "MPI_Allreduce");
  return all;
}

std::int64_t Communicator::allreduce_max(std::int64_t value) {
  if (comm_ == nullptr) return value;
  std::int64_t all = 0;
  check(MPI_Allreduce(&value, &all, 1, MPI_INT64_T, MPI_MAX, comm(comm_)), "MPI_Allreduce");
  return all;
}

void Communicator::allreduce_sum(std::vector<std::uint64_t>& values) {
  if (comm_ == nullptr || values.empty()) return;
  if (values.size() > INT_MAX) throw std::runtime_error("allreduce_sum: too many values for one MPI call");
  // Unsigned sums wrap modulo 2^64, which is what checksums want.
  check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_UINT64_T, MPI_SUM, comm(comm_)),
        "MPI_Allreduce");
}

std::string Communicator::broadcast(const std::string& text, int root) {
  if (comm_ == nullptr) return text;
  std::int64_t length = broadcast(static_cast<std::int64_t>(text.size()), root);
  if (length > INT_MAX) throw std::runtime_error("broadcast: string too long for one MPI call");
  std::string out = rank_ == root ? text : std::string(static_cast<std::size_t>(length), '\0');
  if (length > 0) check(MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, root, comm(comm_)), "MPI_Bcast");
  return out;
}

void Communicator::barrier() {
  if (comm_ != nullptr) check(MPI_Barrier(comm(comm_)), "MPI_Barrier");
}

void Communicator::broadcast(std::vector<std::uint64_t>& values, int root) {
  if (comm_ == nullptr) return;
  const std::int64_t length = broadcast(static_cast<std::int64_t>(values.size()), root);
  if (length > INT_MAX) throw std::runtime_error("broadcast: too many values for one MPI call");
  values.resize(static_cast<std::size_t>(length));
  if (length > 0)
    check(MPI_Bcast(values.data(), static_cast<int>(length), MPI_UINT64_T, root, comm(comm_)), "MPI_Bcast");
}

std::uint64_t Communicator::sum(std::uint64_t value) {
  if (comm_ == nullptr) return value;
  std::uint64_t total = 0;
  check(MPI_Allreduce(&value, &total, 1, MPI_UINT64_T, MPI_SUM, comm(comm_)), "MPI_Allreduce");
  return total;
}

double Communicator::max(double value) {
  if (comm_ == nullptr) return value;
  double result = 0;
  check(MPI_Allreduce(&value, &result, 1, MPI_DOUBLE, MPI_MAX, comm(comm_)), "MPI_Allreduce");
  return result;
}

void Communicator::abort(int exit_code) {
  if (comm_ != nullptr) {
    // The launcher forwards a rank's output while it lives: give it the error line before the
    // job is killed (seen lost without this pause, with Open MPI 4.1).
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    MPI_Abort(MPI_COMM_WORLD, exit_code);
  }
  std::exit(exit_code);
}

}  // namespace pase
