#include "pase/sweep/sweep_driver.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "pase/pipeline/memory_policy.hpp"
#include "pase/report/search_report.hpp"
#include "pase/sweep/journal.hpp"
#include "pase/sweep/point_runner.hpp"
#include "pase/sweep/progress.hpp"
#include "pase/sweep/results_store.hpp"
#include "pase/sweep/sweep_points.hpp"
#include "pase/sweep/sweep_spec.hpp"

namespace pase {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

ResultsMeta meta_of(const SweepSpec& spec, std::uint64_t point_count) {
  ResultsMeta m;
  m.fingerprint = spec.fingerprint;
  m.spec_name = spec.name;
  m.spec_file = spec.file;
  m.spec_text = spec.text;
  m.point_count = point_count;
  m.axis_names = spec.axis_names;
  m.param_columns = spec.param_columns;
  return m;
}

// The rows must describe the spec's points (they would not if the numbering of points changed).
void check_rows_fit(const std::string& output, const RowSet& rows, const SweepPoints& points) {
  for (const auto& row : rows.rows()) {
    const SweepPoint p = points.at(row.point);
    if (row.procs != p.procs || row.speeds != p.cluster ||
        row.cluster != p.cluster_name)
      throw std::invalid_argument(output + ": row of point " + std::to_string(row.point) +
                                  " does not match that point of the spec (written by another version of pase?); "
                                  "write to a new --output");
  }
}

// The points of share K/N (every N-th point from K; all of them without --share), as indices.
struct Share {
  std::uint64_t first = 0, step = 1, total = 0;
  std::uint64_t size() const { return total > first ? (total - first + step - 1) / step : 0; }
};

// What rank 0 found in the results file and journals, for every rank.
struct StartState {
  std::string error;
  std::vector<std::string> warnings;  // rank 0 only
  std::vector<std::uint64_t> todo;    // only when asked for (a dry run counts them)
  std::uint64_t finished = 0;
  std::uint64_t to_run = 0;
};

StartState start_state(Communicator& mpi, const ResultsStore& store, const SweepPoints& points, const Share& mine,
                       std::unique_ptr<OutputLock>& lock, bool fold_journals, bool list_todo) {
  StartState s;
  if (mpi.rank() == 0) {
    try {
      if (fold_journals) lock = std::make_unique<OutputLock>(store.output());
      const RowSet rows = store.load(&s.warnings);
      check_rows_fit(store.output(), rows, points);
      for (std::uint64_t p = mine.first; p < mine.total; p += mine.step)
        if (!rows.finished(p)) {
          ++s.to_run;
          if (list_todo) s.todo.push_back(p);
        }
      // Start from one clean results file: fold what earlier runs left in journals.
      if (fold_journals && !journal_files(store.output()).empty()) store.fold(true);
    } catch (const std::exception& e) {
      s.error = e.what();
    }
  }
  s.error = mpi.broadcast(s.error, 0);
  if (!s.error.empty()) throw std::invalid_argument(s.error);
  if (list_todo) mpi.broadcast(s.todo);
  s.to_run = static_cast<std::uint64_t>(mpi.broadcast(static_cast<std::int64_t>(s.to_run), 0));
  s.finished = mine.size() - s.to_run;
  return s;
}

}  // namespace

SweepOutcome run_sweep(Communicator& mpi, const SweepOptions& options, std::ostream& out, std::ostream& err) {
  const auto start = Clock::now();
  const bool root = mpi.rank() == 0;
  const SweepSpec spec = load_sweep_spec(options.spec_file, options.clusters);
  const SweepPoints points(spec);
  if (options.shares < 1 || options.share >= options.shares)
    throw std::invalid_argument("--share: K/N needs 0 <= K < N, got " + std::to_string(options.share) + "/" +
                                std::to_string(options.shares));
  const Share mine{options.share, options.shares, points.size()};
  const std::string share_text = options.shares > 1 ? " in share " + std::to_string(options.share) + "/" +
                                                         std::to_string(options.shares)
                                                   : std::string();
  SweepOutcome outcome;
  outcome.points = mine.size();
  outcome.ranks = mpi.size();

  if (options.dry_run) {
    if (root) {
      out << points.size() << " points (" << spec.models.size() << " model" << (spec.models.size() == 1 ? "" : "s") << ", "
          << points.group_count() << " groups sharing a plan), fingerprint " << spec.fingerprint << "\n";
      if (options.shares > 1) out << mine.size() << " points" << share_text << "\n";
    }
    if (!options.output.empty() &&
        (std::filesystem::exists(options.output) || !journal_files(options.output).empty())) {
      const ResultsStore store(options.output, meta_of(spec, points.size()));
      std::unique_ptr<OutputLock> no_lock;
      const StartState s = start_state(mpi, store, points, mine, no_lock, false, false);
      for (const auto& w : s.warnings) err << "pase sweep: warning: " << w << "\n";
      outcome.finished_before = s.finished;
      if (root) out << s.finished << " finished in " << options.output << ", " << s.to_run << " to run\n";
    }
    return outcome;
  }
  if (options.output.empty()) throw std::invalid_argument("--output: missing; name the HDF5 results file");

  const ResultsStore store(options.output, meta_of(spec, points.size()));
  std::unique_ptr<OutputLock> lock;
  const StartState state = start_state(mpi, store, points, mine, lock, true, true);
  for (const auto& w : state.warnings) err << "pase sweep: warning: " << w << "\n";
  outcome.finished_before = state.finished;
  outcome.run_now = state.todo.size();

  // The one memory rule (memory_policy.hpp): --max-memory, else search.max_memory, else the default.
  const std::uint64_t memory = options.max_memory_bytes.value_or(
      spec.max_memory_bytes.value_or(default_memory_cap(mpi.node_size())));
  PointRunner runner(points, memory, mpi.rank());
  std::uint64_t ok = 0, failed = 0;
  std::vector<std::string> failures;
  std::string rank_failure;  // what stopped this rank (a journal without room): every rank stops
  {
    const std::vector<PointGroup> groups = group_points(points, state.todo);
    std::vector<std::uint64_t> sizes;
    for (const auto& g : groups) sizes.push_back(g.points.size());
    WorkQueue queue(mpi, sizes);
    std::unique_ptr<ProgressMeter> progress;
    if (root && options.progress && !state.todo.empty())
      progress = std::make_unique<ProgressMeter>(err, isatty(STDERR_FILENO) != 0, state.finished, state.todo.size(),
                                                 options.progress_interval_s);
    auto last_fold = Clock::now();
    auto root_chores = [&] {
      if (!root) return;
      const std::uint64_t done = queue.done();
      if (progress) progress->update(done);
      if (options.checkpoint_seconds >= 0 && seconds_since(last_fold) >= options.checkpoint_seconds) {
        store.fold(false);
        last_fold = Clock::now();
      }
    };
    try {
      std::unique_ptr<JournalWriter> journal;
      auto last_sync = Clock::now();
      while (const auto item = queue.next()) {
        const SweepRow row = runner.run(groups[item->group].points[item->offset]);
        if (!journal) journal = std::make_unique<JournalWriter>(journal_path(options.output, mpi.rank()), spec.fingerprint);
        journal->append(row);
        if (seconds_since(last_sync) >= 1.0) {
          journal->sync();
          last_sync = Clock::now();
        }
        if (row.ok()) ++ok;
        else {
          ++failed;
          if (failures.size() < 3) failures.push_back("point " + std::to_string(row.point) + " (" + row.model + ", " +
                                                      std::to_string(row.procs) + " devices): " + row.message);
        }
        queue.mark_done();
        root_chores();
      }
      if (journal) journal->sync();
      if (root)
        while (queue.done() < state.todo.size() && !queue.stopped()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          root_chores();
        }
      if (progress && !queue.stopped()) progress->finish(queue.done());
    } catch (const std::exception& e) {
      if (mpi.size() == 1) throw;  // printed once, by the command
      rank_failure = e.what();
      queue.stop();
    }
  }  // the queue's window is freed collectively: every rank is past its last point
  if (mpi.size() > 1) {
    // Every rank learns which ranks failed, so that all end alike, with one line from rank 0.
    std::vector<std::uint64_t> failed_on(static_cast<std::size_t>(mpi.size()), 0);
    failed_on[static_cast<std::size_t>(mpi.rank())] = rank_failure.empty() ? 0 : 1;
    mpi.allreduce_sum(failed_on);
    const auto first = std::find(failed_on.begin(), failed_on.end(), 1u);
    if (first != failed_on.end()) {
      const int rank = static_cast<int>(first - failed_on.begin());
      const auto count = std::count(failed_on.begin(), failed_on.end(), 1u);
      throw SweepFailedOnAllRanks("rank " + std::to_string(rank) + ": " + mpi.broadcast(rank_failure, rank) + " (" +
                                  std::to_string(count) + " of " + std::to_string(mpi.size()) +
                                  " ranks failed); the points already in the journals next to " + options.output +
                                  " are kept: rerun the sweep");
    }
  }

  outcome.ok = mpi.sum(ok);
  outcome.failed = mpi.sum(failed);
  outcome.plans_built = mpi.sum(runner.stats().plans_built);
  outcome.plans_shared = mpi.sum(runner.stats().plans_shared);
  if (state.todo.empty()) {  // the same on every rank (broadcast)
    outcome.rows_written = mine.size();
    out << "sweep " << spec.name << ": all " << outcome.points << " points" << share_text << " are finished in "
        << options.output << "; nothing to do\n";
  } else {
    // Every rank learns whether the fold worked, so that all end alike (no MPI_Abort, no rank left
    // in MPI_Finalize while rank 0 fails).
    std::string fold_error;
    if (root) try {
        outcome.rows_written = store.fold(true);
      } catch (const std::exception& e) {
        fold_error = e.what();
      }
    fold_error = mpi.broadcast(fold_error, 0);
    if (!fold_error.empty())
      throw SweepFailedOnAllRanks(fold_error + "; the finished points are kept in the journals next to " +
                                  options.output + ": rerun the sweep to fold them");
  }
  if (root && !state.todo.empty()) {
    outcome.seconds = seconds_since(start);
    const double rate = outcome.seconds > 0 ? static_cast<double>(outcome.run_now) / outcome.seconds : 0.0;
    out << "sweep " << spec.name << ": " << outcome.points << " points" << share_text << ", " << outcome.finished_before
        << " finished before, " << outcome.run_now << " run now on " << outcome.ranks << " rank"
        << (outcome.ranks == 1 ? "" : "s") << " in " << outcome.seconds << " s (" << rate << " points/s)\n"
        << "  ok " << outcome.ok << ", failed " << outcome.failed << "; plans built " << outcome.plans_built
        << ", shared by " << outcome.plans_shared << " points\n"
        << "  results: " << options.output << " (" << outcome.rows_written << " rows)\n";
    for (const auto& f : failures) out << "  failed: " << f << "\n";
    if (outcome.failed > 0) out << "  (failed points are retried when the sweep is run again)\n";
  }
  return outcome;
}

}  // namespace pase
