#pragma once
// The sweep's only MPI code: the MPI session and a dynamic work queue over groups of points.
// This header does not include <mpi.h>.
//
// The queue keeps its counters in an MPI window on rank 0 and hands out work with atomic
// MPI_Fetch_and_op, so every rank (rank 0 too) computes points and none waits for a master. A rank
// claims a whole group (points sharing one plan) and takes its points one by one; when no group is left
// unclaimed it helps with the group that has the most points left. So points of a group go to one rank
// unless balancing the end of the sweep needs more.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pase {

class MpiSession {
 public:
  // Initialises MPI unless something else already did (then it leaves finalising to that). The
  // session works on its own duplicate of MPI_COMM_WORLD, whose errors are returned and thrown, so it
  // neither disturbs nor is disturbed by other MPI code in the process.
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  void barrier() const;
  void broadcast(std::string& text, int root = 0) const;
  void broadcast(std::vector<std::uint64_t>& values, int root = 0) const;
  std::uint64_t sum(std::uint64_t value) const;   // over all ranks, on all ranks
  double max(double value) const;
  [[noreturn]] void abort(int code) const;

 private:
  friend class WorkQueue;
  void* comm_ = nullptr;  // MPI_Comm, allocated
  bool initialised_here_ = false;
  int rank_ = 0;
  int size_ = 1;
};

struct WorkItem {
  std::size_t group = 0;
  std::uint64_t offset = 0;  // index of the point within the group
  bool stolen = false;       // taken from a group that another rank claimed
};

class WorkQueue {
 public:
  // Collective. group_sizes[g] points in group g; groups are claimed in this order.
  WorkQueue(const MpiSession& mpi, std::vector<std::uint64_t> group_sizes);
  ~WorkQueue();  // collective
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  std::optional<WorkItem> next();
  void mark_done(std::uint64_t points = 1);  // adds to the shared count of finished points
  std::uint64_t done() const;                // the shared count, from any rank

 private:
  std::uint64_t fetch_add(std::size_t slot, std::int64_t value) const;
  std::vector<std::int64_t> read_all() const;

  std::vector<std::uint64_t> sizes_;
  std::int64_t* base_ = nullptr;
  void* window_ = nullptr;  // MPI_Win, allocated
  std::optional<std::size_t> current_;
};

}  // namespace pase
