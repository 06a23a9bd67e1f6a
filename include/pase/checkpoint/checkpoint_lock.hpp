#pragma once
// Keeping two runs from using one checkpoint: a lock file next to it (CHECKPOINT.lock) held with
// flock() for as long as the run uses the checkpoint. The kernel drops the lock when the process
// ends, however it ends, so a lock file left behind by a killed run does not block the next one.
// Needs a file system with working flock (local disks, NFS; Lustre mounted with -o flock).

#include <string>

namespace pase {

class CheckpointLock {
 public:
  enum class Mode { write, read };
  // Throws CheckpointRefused naming the lock file and the holder (process id and host) when another
  // process holds it: any lock for `write`, a write lock for `read`. A reader takes no lock when
  // there is no lock file (no run is writing the checkpoint then).
  CheckpointLock(const std::string& checkpoint, Mode mode);
  ~CheckpointLock();
  CheckpointLock(const CheckpointLock&) = delete;
  CheckpointLock& operator=(const CheckpointLock&) = delete;

  const std::string& path() const { return path_; }
  // Removes the lock file while still holding it, then lets go (a run that finished).
  void remove();

 private:
  std::string path_;
  int fd_ = -1;
};

std::string lock_path(const std::string& checkpoint);

}  // namespace pase
