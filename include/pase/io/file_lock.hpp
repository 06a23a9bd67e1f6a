#pragma once
// A lock file held with flock() for as long as a run uses a file (a checkpoint, a results file).
// The kernel drops the lock when the process ends, however it ends, so a lock file left behind by a
// killed run does not block the next one. Needs a file system with working flock (local disks, NFS;
// Lustre mounted with -o flock). Callers turn the outcome into their own error messages.

#include <string>

namespace pase {

class FileLock {
 public:
  enum class Mode { exclusive, shared };
  enum class Outcome {
    held,         // this process holds the lock
    busy,         // another process holds it (holder() says who, when it wrote a note)
    no_file,      // shared mode only: there is no lock file, so no run is writing
    cannot_open,  // error() says why
    cannot_lock,  // flock failed for another reason than a holder; error() says why
    unstable,     // the lock file kept being replaced under us
  };
  // Never waits. An exclusive lock creates the lock file and writes "process PID on HOST" into it.
  FileLock(std::string path, Mode mode);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  const std::string& path() const { return path_; }
  Outcome outcome() const { return outcome_; }
  int error() const { return error_; }              // errno, for cannot_open and cannot_lock
  const std::string& holder() const { return holder_; }
  // Removes the lock file while still holding it, then lets go (a run that finished).
  void remove();

 private:
  std::string path_;
  Outcome outcome_ = Outcome::unstable;
  int error_ = 0;
  std::string holder_;
  int fd_ = -1;
};

}  // namespace pase
