#pragma once
// A dynamic work queue over groups of points, for the ranks of a sweep.
//
// The queue keeps its counters on rank 0 (SharedCounters: an MPI window changed with atomic
// fetch-and-add), so every rank (rank 0 too) computes points and none waits for a master. A rank
// claims a whole group (points sharing one plan) and takes its points one by one; when no group is left
// unclaimed it helps with the group that has the most points left. So points of a group go to one rank
// unless balancing the end of the sweep needs more.

#include <cstdint>
#include <optional>
#include <vector>

#include "pase/mpi/shared_counters.hpp"

namespace pase {

struct WorkItem {
  std::size_t group = 0;
  std::uint64_t offset = 0;  // index of the point within the group
  bool stolen = false;       // taken from a group that another rank claimed
};

class WorkQueue {
 public:
  // Collective. group_sizes[g] points in group g; groups are claimed in this order.
  WorkQueue(Communicator& comm, std::vector<std::uint64_t> group_sizes);
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  std::optional<WorkItem> next();
  void mark_done(std::uint64_t points = 1);  // adds to the shared count of finished points
  std::uint64_t done();                      // the shared count, from any rank
  // From any rank: next() returns nothing from now on, on every rank (a rank that cannot go on).
  void stop();
  bool stopped();

 private:
  std::uint64_t fetch_add(std::size_t slot, std::int64_t value);

  std::vector<std::uint64_t> sizes_;
  SharedCounters counters_;  // destroyed collectively with the queue
  std::optional<std::size_t> current_;
};

}  // namespace pase
