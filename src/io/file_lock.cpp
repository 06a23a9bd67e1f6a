#include "pase/io/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

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

FileLock::FileLock(std::string path, Mode mode) : path_(std::move(path)) {
  const bool exclusive = mode == Mode::exclusive;
  // A lock file removed and made anew between our open and our flock would leave us holding a
  // lock on a file nobody else sees: check that the locked file is still the one at the path.
  for (int attempt = 0; attempt < 10; ++attempt) {
    const int fd = ::open(path_.c_str(), exclusive ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
      error_ = errno;
      outcome_ = !exclusive && error_ == ENOENT ? Outcome::no_file : Outcome::cannot_open;
      return;
    }
    if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
      error_ = errno;
      outcome_ = error_ == EWOULDBLOCK ? Outcome::busy : Outcome::cannot_lock;
      holder_ = holder_of(fd);
      ::close(fd);
      return;
    }
    struct stat locked {
    }, now{};
    if (::fstat(fd, &locked) == 0 && ::stat(path_.c_str(), &now) == 0 && locked.st_ino == now.st_ino &&
        locked.st_dev == now.st_dev) {
      fd_ = fd;
      outcome_ = Outcome::held;
      break;
    }
    ::close(fd);
  }
  if (fd_ < 0 || !exclusive) return;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string note = "process " + std::to_string(::getpid()) + " on " + host + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, note.data(), note.size(), 0) < 0) {
    // The lock holds even when the note about its holder cannot be written.
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

void FileLock::remove() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace pase
