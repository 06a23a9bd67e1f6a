#pragma once
// `pase sweep`: runs every point of a spec that the results file does not hold yet, on all MPI ranks,
// appending each row to the rank's journal and folding the journals into the HDF5 results file.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>

#include "pase/sweep/work_queue.hpp"

namespace pase {

struct SweepOptions {
  std::string spec_file;
  std::string output;                   // the HDF5 results file
  std::string clusters;                 // cluster catalogue; empty: the spec's or the default one
  bool dry_run = false;                 // count the points (and those finished) and stop
  bool progress = true;
  double progress_interval_s = 5.0;     // when stderr is not a terminal
  double checkpoint_seconds = 60.0;     // fold the journals into the results file this often
  std::optional<std::uint64_t> max_memory_bytes;  // overrides the spec's search.max_memory
  // --share K/N: run only the points whose number modulo `shares` is `share` (0 <= share < shares),
  // e.g. one task of a Slurm job array; the shares' results files are joined with `pase merge`.
  std::uint64_t share = 0;
  std::uint64_t shares = 1;
};

struct SweepOutcome {
  std::uint64_t points = 0;           // in the spec (in the share with --share)
  std::uint64_t finished_before = 0;  // found in the results file and journals
  std::uint64_t run_now = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;           // computed now with status other than ok
  std::uint64_t plans_built = 0;
  std::uint64_t plans_shared = 0;
  std::uint64_t rows_written = 0;
  double seconds = 0;
  int ranks = 1;
};

// Collective over all ranks. Rank 0 prints the summary on `out` and progress on `err`. Throws
// std::invalid_argument for a bad spec or a results file of another spec (on every rank).
// A failure every rank throws alike (rank 0 could not fold the results file, e.g. the disk is full):
// printed once, and every rank ends with the same exit code.
struct SweepFailedOnAllRanks : std::runtime_error {
  using std::runtime_error::runtime_error;
};

SweepOutcome run_sweep(Communicator& mpi, const SweepOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pase
