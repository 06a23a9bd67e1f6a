#pragma once
// The communicator of all ranks: the DP's Collectives and the few operations the sweep needs. It is
// made by MpiRuntime (its own duplicate of MPI_COMM_WORLD, whose errors are returned and thrown);
// when no MPI launcher started the process it is one process without MPI, and every operation is
// local. This header does not include <mpi.h>.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/search/collectives.hpp"

namespace pase {

class Communicator final : public Collectives {
 public:
  Communicator() = default;  // one process, no MPI
  ~Communicator() override;
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  bool uses_mpi() const { return comm_ != nullptr; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  // The ranks on this rank's node (sharing its memory), this one included.
  int node_size() const { return node_size_; }

  void allgather_blocks(double* data, const std::vector<std::uint64_t>& offsets,
                        const std::vector<std::uint64_t>& counts) override;
  std::int64_t broadcast(std::int64_t value, int root) override;
  std::vector<RankStats> all_stats(const RankStats& mine) override;
  std::uint64_t allreduce_or(std::uint64_t bits) override;
  std::int64_t allreduce_max(std::int64_t value) override;
  void allreduce_sum(std::vector<std::uint64_t>& values) override;
  std::string broadcast(const std::string& text, int root) override;

  void barrier();
  void broadcast(std::vector<std::uint64_t>& values, int root = 0);  // resized on the other ranks
  std::uint64_t sum(std::uint64_t value);  // over all ranks, on all ranks
  double max(double value);
  // Ends every rank at once, for errors that other ranks may not see (they would wait forever).
  [[noreturn]] void abort(int exit_code);

 private:
  friend class MpiRuntime;
  friend class SharedCounters;
  friend void* native_handle(Communicator&);
  void* comm_ = nullptr;  // MPI_Comm, allocated; null without MPI
  int rank_ = 0;
  int size_ = 1;
  int node_size_ = 1;
};

}  // namespace pase
