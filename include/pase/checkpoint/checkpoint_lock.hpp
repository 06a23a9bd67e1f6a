#pragma once
// Keeping two runs from using one checkpoint: a FileLock next to it (CHECKPOINT.lock) for as long
// as the run uses the checkpoint.

#include <string>

#include "pase/io/file_lock.hpp"

namespace pase {

class CheckpointLock {
 public:
  enum class Mode { write, read };
  // Throws CheckpointRefused naming the lock file and the holder (process id and host) when another
  // process holds it: any lock for `write`, a write lock for `read`. A reader takes no lock when
  // there is no lock file (no run is writing the checkpoint then).
  CheckpointLock(const std::string& checkpoint, Mode mode);

  const std::string& path() const { return lock_.path(); }
  // Removes the lock file while still holding it, then lets go (a run that finished).
  void remove() { lock_.remove(); }

 private:
  FileLock lock_;
};

std::string lock_path(const std::string& checkpoint);

}  // namespace pase
