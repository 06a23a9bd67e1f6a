#include "pase/checkpoint/checkpoint_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pase/checkpoint/checkpoint_errors.hpp"

namespace pase {

namespace {

std::string holder_of(int fd) {
  char text[256] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  std::string holder = n > 0 ? std::string(text, static_cast<std::size_t>(n)) : "";
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
  return holder.empty() ? "another run" : holder;
}

}  // namespace

std::string lock_path(const std::string& checkpoint) { return checkpoint + ".lock"; }

CheckpointLock::CheckpointLock(const std::string& checkpoint, Mode mode) : path_(lock_path(checkpoint)) {
  // A lock file removed and made anew between our open and our flock would leave us holding a
  // lock on a file nobody else sees: check that the locked file is still the one at the path.
  for (int attempt = 0; attempt < 10; ++attempt) {
    // A reader needs no lock file of its own: without one, no run is writing the checkpoint.
    const int fd =
        ::open(path_.c_str(), mode == Mode::write ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
    if (fd < 0 && mode == Mode::read && errno == ENOENT) return;
    if (fd < 0)
      throw CheckpointRefused(path_ + ": cannot create the lock file of checkpoint " + checkpoint + " (" +
                              std::strerror(errno) + "); the checkpoint's folder must be writable");
    if (::flock(fd, (mode == Mode::write ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
      const int error = errno;
      const std::string holder = holder_of(fd);
      ::close(fd);
      if (error == EWOULDBLOCK)
        throw CheckpointRefused(checkpoint + ": in use by " + holder + " (lock " + path_ +
                                "); two runs cannot use one checkpoint: wait for that run to end, or stop it");
      throw CheckpointRefused(path_ + ": cannot lock it (" + std::string(std::strerror(error)) +
                              "); put the checkpoint on a file system with flock (Lustre: mount with -o flock)");
    }
    struct stat locked {
    }, now{};
    if (::fstat(fd, &locked) == 0 && ::stat(path_.c_str(), &now) == 0 && locked.st_ino == now.st_ino &&
        locked.st_dev == now.st_dev) {
      fd_ = fd;
      break;
    }
    ::close(fd);
  }
  if (fd_ < 0) throw CheckpointRefused(path_ + ": the lock file keeps changing; is another run starting?");
  if (mode == Mode::write) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const std::string holder = "process " + std::to_string(::getpid()) + " on " + host + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, holder.data(), holder.size(), 0) < 0) {
      // The lock holds even when the note about its holder cannot be written.
    }
  }
}

CheckpointLock::~CheckpointLock() {
  if (fd_ >= 0) ::close(fd_);
}

void CheckpointLock::remove() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace pase
