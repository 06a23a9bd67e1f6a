#pragma once
// Signals that ask a checkpointing search to checkpoint. The handlers only count; the search looks
// at the counts after every DP step, where all ranks agree on what to do.
//   SIGUSR1                   checkpoint now and go on
//   SIGTERM, SIGINT, SIGUSR2  checkpoint and stop (exit code 75); a second one of these ends the
//                             process at once, by the signal's default action
// SIGXFSZ is ignored meanwhile, so that a file size limit fails a checkpoint's write (reported)
// instead of killing the process.
// Open MPI's mpirun forwards only SIGUSR1 and SIGUSR2 to the ranks (on SIGTERM and SIGINT it kills
// them), so under mpirun send SIGUSR2 to stop; srun and Slurm signal every rank directly.

namespace pase {

class StopSignals {
 public:
  StopSignals();   // installs the handlers
  ~StopSignals();  // restores the previous ones
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // True once for each SIGUSR1 (or several close together) since the last call.
  bool take_checkpoint_request();
  bool stop_requested() const;
};

}  // namespace pase
