#pragma once
// A search that writes checkpoints and can resume from one (--checkpoint, --checkpoint-every,
// --resume): the pipeline (search_pipeline.hpp) with its DP listener and start state. The resumed search's result is identical, to the last bit, to
// an uninterrupted one's, for any number of ranks and threads on either side.

#include <iosfwd>
#include <memory>
#include <string>

#include "pase/checkpoint/checkpoint_lock.hpp"
#include "pase/checkpoint/stop_signals.hpp"
#include "pase/pipeline/search_pipeline.hpp"

namespace pase {

struct CheckpointOptions {
  std::string checkpoint;      // write checkpoints to this file ("": none)
  double every_seconds = 600;  // and this often (0: after every DP step); also on signals
  std::string resume;          // continue from this checkpoint ("": from the start)
};

class CheckpointedSearch {
 public:
  // Every rank constructs it together. Takes the checkpoint's lock (rank 0), removes a temporary
  // file that a killed run left next to the checkpoint, and installs the signal handlers; refuses (CheckpointRefused,
  // on every rank) a checkpoint that another run holds, or one that exists already while `resume` does not name it.
  CheckpointedSearch(CheckpointOptions options, Collectives& comm, std::ostream* log);
  ~CheckpointedSearch();

  // Like run_search. Throws SearchInterrupted (its message says how to resume) when a stop was asked
  // for and its checkpoint written, CheckpointRefused when the resume checkpoint cannot be used,
  // CheckpointWriteFailed when a stop's checkpoint could not be written.
  SearchRun run(const SearchSettings& settings);

  // After a finished search's results are out: removes the checkpoint, which is no longer needed,
  // and its lock file.
  void finish();

 private:
  CheckpointOptions options_;
  Collectives& comm_;
  std::ostream* log_;
  std::unique_ptr<CheckpointLock> lock_;
  std::unique_ptr<StopSignals> signals_;
};

}  // namespace pase
