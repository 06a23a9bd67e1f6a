#include "pase/checkpoint/checkpointed_search.hpp"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>

#include "pase/checkpoint/agreement.hpp"
#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/checkpoint/checkpoint_listener.hpp"
#include "pase/checkpoint/checkpoint_reader.hpp"
#include "pase/checkpoint/search_fingerprint.hpp"
#include "pase/checkpoint/test_hooks.hpp"
#include "pase/io/atomic_replace.hpp"

namespace pase {

namespace {

bool same_file(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  std::error_code code;
  if (std::filesystem::equivalent(a, b, code)) return true;
  return std::filesystem::weakly_canonical(a, code) == std::filesystem::weakly_canonical(b, code);
}

}  // namespace

CheckpointedSearch::CheckpointedSearch(CheckpointOptions options, Collectives& comm, std::ostream* log)
    : options_(std::move(options)), comm_(comm), log_(comm.rank() == 0 ? log : nullptr) {
  test_hooks();  // a malformed test hook fails here, on every rank alike
  if (options_.checkpoint.empty()) return;
  const std::string error = agree(comm_, [&] {
    if (comm_.rank() != 0) return;
    lock_ = std::make_unique<CheckpointLock>(options_.checkpoint, CheckpointLock::Mode::write);
    // What a killed writer left behind (regular files): with the lock held, no run writes them.
    for (const std::string& stale :
         {temporary_path(options_.checkpoint), temporary_path(options_.checkpoint) + ".reserve"})
      if (std::filesystem::is_regular_file(std::filesystem::symlink_status(stale))) std::remove(stale.c_str());
    std::error_code code;
    if (std::filesystem::exists(options_.checkpoint, code) && !same_file(options_.checkpoint, options_.resume))
      throw CheckpointRefused(options_.checkpoint + ": a checkpoint exists already; continue it with --resume " +
                              options_.checkpoint + ", or delete it to start over");
  });
  if (!error.empty()) {
    lock_.reset();
    throw CheckpointRefused(error);
  }
  signals_ = std::make_unique<StopSignals>();
}

CheckpointedSearch::~CheckpointedSearch() = default;

SearchRun CheckpointedSearch::run(const SearchSettings& settings) {
  SearchRun run = plan_search(settings);
  check_memory(settings, run, comm_.size());
  const Problem& problem = run.searched();
  const bool checkpointing = !options_.checkpoint.empty() || !options_.resume.empty();
  const SearchFingerprint fingerprint = checkpointing ? make_fingerprint(settings, run) : SearchFingerprint{};
  const Distribution distribution = distribute(problem, run.plan, comm_.size(), settings.dp.replicate_below_bytes);

  DpState start;
  if (!options_.resume.empty()) {
    // Another run must not be writing the checkpoint we read (our own lock covers it already).
    std::unique_ptr<CheckpointLock> read_lock;
    const bool own = same_file(options_.resume, options_.checkpoint);
    const std::string locked = agree(comm_, [&] {
      if (comm_.rank() == 0 && !own)
        read_lock = std::make_unique<CheckpointLock>(options_.resume, CheckpointLock::Mode::read);
    });
    if (!locked.empty()) throw CheckpointRefused(locked);
    CheckpointReader reader(options_.resume, comm_);
    reader.verify();
    const std::string differences = describe_differences(reader.header().fingerprint, fingerprint);
    if (!differences.empty())
      throw CheckpointRefused(options_.resume + ": written for a different search (" + differences +
                              "); resume with the model and options that wrote it, or start a new checkpoint");
    start = reader.load(problem, run.plan, distribution);
    reader.close();
    if (log_) {
      const CheckpointHeader& h = reader.header();
      char share[32];
      std::snprintf(
          share, sizeof share, "%.1f%%",
          h.cells_total ? 100.0 * static_cast<double>(h.cells_done) / static_cast<double>(h.cells_total) : 100.0);
      *log_ << "pase search: resumed from " << options_.resume << " after step " << h.steps_done << " of "
            << h.steps_total << " (" << share << " of the DP work done)\n";
    }
  }

  std::optional<CheckpointListener> listener;
  if (!options_.checkpoint.empty())
    listener.emplace(options_.checkpoint, options_.every_seconds, problem, run.plan, distribution, fingerprint,
                     settings.model_file, comm_, *signals_, log_);
  try {
    solve_planned(settings, run, comm_, listener ? &*listener : nullptr, std::move(start));
  } catch (const SearchInterrupted& e) {
    throw SearchInterrupted(std::string(e.what()) + "; checkpoint " + options_.checkpoint +
                            " written: continue with --resume " + options_.checkpoint);
  }
  return run;
}

void CheckpointedSearch::finish() {
  if (options_.checkpoint.empty()) return;
  signals_.reset();
  const std::string error = agree(comm_, [&] {
    if (comm_.rank() != 0) return;
    std::remove(options_.checkpoint.c_str());
    if (lock_) lock_->remove();
  });
  (void)error;  // a checkpoint that cannot be removed is harmless: the next run refuses it by name
}

}  // namespace pase
