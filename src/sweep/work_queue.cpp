#include "pase/sweep/work_queue.hpp"

namespace pase {

namespace {

// Counter slots: the next unclaimed group, the count of finished points, the stop flag, then one per group.
constexpr std::size_t claim_slot = 0;
constexpr std::size_t done_slot = 1;
constexpr std::size_t stop_slot = 2;
constexpr std::size_t first_group_slot = 3;

}  // namespace

WorkQueue::WorkQueue(Communicator& comm, std::vector<std::uint64_t> group_sizes)
    : sizes_(std::move(group_sizes)), counters_(comm, first_group_slot + sizes_.size()) {}

std::uint64_t WorkQueue::fetch_add(std::size_t slot, std::int64_t value) {
  return static_cast<std::uint64_t>(counters_.fetch_add(slot, value));
}

std::optional<WorkItem> WorkQueue::next() {
  if (stopped()) return std::nullopt;
  // Go on with the current group while it has points.
  if (current_) {
    const std::uint64_t k = fetch_add(first_group_slot + *current_, 1);
    if (k < sizes_[*current_]) return WorkItem{*current_, k, false};
    current_.reset();
  }
  // Claim an unclaimed group.
  while (true) {
    const std::uint64_t g = fetch_add(claim_slot, 1);
    if (g >= sizes_.size()) break;
    current_ = static_cast<std::size_t>(g);
    const std::uint64_t k = fetch_add(first_group_slot + g, 1);
    if (k < sizes_[g]) return WorkItem{static_cast<std::size_t>(g), k, false};
  }
  // Help with the group that has the most points left.
  while (true) {
    const auto counters = counters_.read_all();
    std::size_t best = sizes_.size();
    std::uint64_t most = 0;
    for (std::size_t g = 0; g < sizes_.size(); ++g) {
      const auto taken = static_cast<std::uint64_t>(counters[first_group_slot + g]);
      const std::uint64_t left = taken < sizes_[g] ? sizes_[g] - taken : 0;
      if (left > most) most = left, best = g;
    }
    if (best == sizes_.size()) return std::nullopt;
    const std::uint64_t k = fetch_add(first_group_slot + best, 1);
    if (k < sizes_[best]) {
      current_ = best;
      return WorkItem{best, k, true};
    }
  }
}

void WorkQueue::mark_done(std::uint64_t points) { fetch_add(done_slot, static_cast<std::int64_t>(points)); }

std::uint64_t WorkQueue::done() { return static_cast<std::uint64_t>(counters_.read(done_slot)); }

void WorkQueue::stop() { fetch_add(stop_slot, 1); }

bool WorkQueue::stopped() { return counters_.read(stop_slot) != 0; }

}  // namespace pase
