#pragma once
// The DP listener of a checkpointing search. After every step, every rank contributes what it has
// seen (a signal, rank 0's clock passing --checkpoint-every, the PASE_STOP_AFTER_STEP test hook)
// to one collective OR, so that all ranks decide alike whether to write a checkpoint and whether
// to stop afterwards.

#include <chrono>
#include <iosfwd>
#include <string>

#include "pase/checkpoint/checkpoint_writer.hpp"
#include "pase/checkpoint/stop_signals.hpp"

namespace pase {

class CheckpointListener final : public DpListener {
 public:
  // `every_seconds`: rank 0 asks for a checkpoint when this long has passed since the last one
  // (or the start); 0 means after every step. `log` (rank 0's, may be null) hears of every
  // checkpoint written and every one that failed.
  CheckpointListener(std::string path, double every_seconds, const Problem& problem, const Plan& plan,
                     const Distribution& distribution, const SearchFingerprint& fingerprint, std::string model_file,
                     Collectives& comm, StopSignals& signals, std::ostream* log);

  // Throws CheckpointWriteFailed when a stop was asked for and its checkpoint could not be
  // written; a failed checkpoint without a stop is reported to `log` and the search goes on.
  bool after_step(const DpState& state) override;

  int checkpoints_written() const { return written_; }
  double seconds_writing() const { return seconds_writing_; }

 private:
  std::string path_;
  double every_seconds_;
  const Problem& problem_;
  const Plan& plan_;
  const Distribution& distribution_;
  const SearchFingerprint& fingerprint_;
  std::string model_file_;
  Collectives& comm_;
  StopSignals& signals_;
  std::ostream* log_;
  std::chrono::steady_clock::time_point last_;
  int written_ = 0;
  double seconds_writing_ = 0;
};

}  // namespace pase
