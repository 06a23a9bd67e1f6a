#include "pase/sweep/work_queue.hpp"

#include <mpi.h>

#include <stdexcept>

namespace pase {

namespace {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  throw std::runtime_error(std::string("MPI: ") + what + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

// Window slots: the next unclaimed group, the count of finished points, then one per group.
constexpr std::size_t claim_slot = 0;
constexpr std::size_t done_slot = 1;
constexpr std::size_t first_group_slot = 2;

MPI_Win& win(void* w) { return *static_cast<MPI_Win*>(w); }
MPI_Comm& comm(void* c) { return *static_cast<MPI_Comm*>(c); }

}  // namespace

MpiSession::MpiSession() {
  int initialised = 0;
  check(MPI_Initialized(&initialised), "MPI_Initialized");
  if (!initialised) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    initialised_here_ = true;
  }
  comm_ = new MPI_Comm(MPI_COMM_NULL);
  check(MPI_Comm_dup(MPI_COMM_WORLD, &comm(comm_)), "MPI_Comm_dup");
  check(MPI_Comm_set_errhandler(comm(comm_), MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(comm(comm_), &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm(comm_), &size_), "MPI_Comm_size");
}

MpiSession::~MpiSession() {
  if (comm(comm_) != MPI_COMM_NULL) MPI_Comm_free(&comm(comm_));
  delete static_cast<MPI_Comm*>(comm_);
  if (!initialised_here_) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
}

void MpiSession::barrier() const { check(MPI_Barrier(comm(comm_)), "MPI_Barrier"); }

void MpiSession::broadcast(std::string& text, int root) const {
  std::uint64_t size = text.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, root, comm(comm_)), "MPI_Bcast");
  text.resize(size);
  if (size > 0) check(MPI_Bcast(text.data(), static_cast<int>(size), MPI_CHAR, root, comm(comm_)), "MPI_Bcast");
}

void MpiSession::broadcast(std::vector<std::uint64_t>& values, int root) const {
  std::uint64_t size = values.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, root, comm(comm_)), "MPI_Bcast");
  values.resize(size);
  if (size > 0)
    check(MPI_Bcast(values.data(), static_cast<int>(size), MPI_UINT64_T, root, comm(comm_)), "MPI_Bcast");
}

std::uint64_t MpiSession::sum(std::uint64_t value) const {
  std::uint64_t total = 0;
  check(MPI_Allreduce(&value, &total, 1, MPI_UINT64_T, MPI_SUM, comm(comm_)), "MPI_Allreduce");
  return total;
}

double MpiSession::max(double value) const {
  double result = 0;
  check(MPI_Allreduce(&value, &result, 1, MPI_DOUBLE, MPI_MAX, comm(comm_)), "MPI_Allreduce");
  return result;
}

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();
}

WorkQueue::WorkQueue(const MpiSession& mpi, std::vector<std::uint64_t> group_sizes) : sizes_(std::move(group_sizes)) {
  const std::size_t slots = first_group_slot + sizes_.size();
  const MPI_Aint bytes = mpi.rank() == 0 ? static_cast<MPI_Aint>(slots * sizeof(std::int64_t)) : 0;
  window_ = new MPI_Win;
  check(MPI_Win_allocate(bytes, sizeof(std::int64_t), MPI_INFO_NULL, comm(mpi.comm_), &base_, &win(window_)),
        "MPI_Win_allocate");
  check(MPI_Win_set_errhandler(win(window_), MPI_ERRORS_RETURN), "MPI_Win_set_errhandler");
  if (mpi.rank() == 0)
    for (std::size_t i = 0; i < slots; ++i) base_[i] = 0;
  mpi.barrier();  // the counters are zero before anyone uses them
  check(MPI_Win_lock_all(MPI_MODE_NOCHECK, win(window_)), "MPI_Win_lock_all");
}

WorkQueue::~WorkQueue() {
  MPI_Win_unlock_all(win(window_));
  MPI_Win_free(&win(window_));
  delete static_cast<MPI_Win*>(window_);
}

std::uint64_t WorkQueue::fetch_add(std::size_t slot, std::int64_t value) const {
  std::int64_t before = 0;
  check(MPI_Fetch_and_op(&value, &before, MPI_INT64_T, 0, static_cast<MPI_Aint>(slot), MPI_SUM, win(window_)),
        "MPI_Fetch_and_op");
  check(MPI_Win_flush(0, win(window_)), "MPI_Win_flush");
  return static_cast<std::uint64_t>(before);
}

std::vector<std::int64_t> WorkQueue::read_all() const {
  const int count = static_cast<int>(first_group_slot + sizes_.size());
  std::vector<std::int64_t> values(static_cast<std::size_t>(count));
  // Atomic reads (MPI_NO_OP), so they do not conflict with the other ranks' fetch-and-adds.
  check(MPI_Get_accumulate(nullptr, 0, MPI_INT64_T, values.data(), count, MPI_INT64_T, 0, 0, count, MPI_INT64_T,
                           MPI_NO_OP, win(window_)),
        "MPI_Get_accumulate");
  check(MPI_Win_flush(0, win(window_)), "MPI_Win_flush");
  return values;
}

std::optional<WorkItem> WorkQueue::next() {
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
    const auto counters = read_all();
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

std::uint64_t WorkQueue::done() const {
  std::int64_t zero = 0, value = 0;
  check(MPI_Fetch_and_op(&zero, &value, MPI_INT64_T, 0, static_cast<MPI_Aint>(done_slot), MPI_NO_OP, win(window_)),
        "MPI_Fetch_and_op");
  check(MPI_Win_flush(0, win(window_)), "MPI_Win_flush");
  return static_cast<std::uint64_t>(value);
}

}  // namespace pase
