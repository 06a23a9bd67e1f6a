#include "pase/checkpoint/checkpoint_lock.hpp"

#include <cstring>

#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/io/output_path.hpp"

namespace pase {

// The lock of the file itself: two runs that reach one checkpoint through a symbolic link share it.
std::string lock_path(const std::string& checkpoint) { return resolved_path(checkpoint) + ".lock"; }

CheckpointLock::CheckpointLock(const std::string& checkpoint, Mode mode)
    : lock_(lock_path(checkpoint), mode == Mode::write ? FileLock::Mode::exclusive : FileLock::Mode::shared) {
  const std::string& path = lock_.path();
  switch (lock_.outcome()) {
    case FileLock::Outcome::held:
    case FileLock::Outcome::no_file:  // a reader needs no lock file: without one, no run is writing
      return;
    case FileLock::Outcome::cannot_open:
      throw CheckpointRefused(path + ": cannot create the lock file of checkpoint " + checkpoint + " (" +
                              std::strerror(lock_.error()) + "); the checkpoint's folder must be writable");
    case FileLock::Outcome::busy:
      throw CheckpointRefused(checkpoint + ": in use by " + lock_.holder() + " (lock " + path +
                              "); two runs cannot use one checkpoint: wait for that run to end, or stop it");
    case FileLock::Outcome::cannot_lock:
      throw CheckpointRefused(path + ": cannot lock it (" + std::string(std::strerror(lock_.error())) +
                              "); put the checkpoint on a file system with flock (Lustre: mount with -o flock)");
    case FileLock::Outcome::unstable:
      break;
  }
  throw CheckpointRefused(path + ": the lock file keeps changing; is another run starting?");
}

}  // namespace pase
