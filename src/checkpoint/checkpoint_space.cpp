#include "pase/checkpoint/checkpoint_space.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace pase {

void reserve_space(const std::string& checkpoint, std::uint64_t bytes) {
  const std::string scratch = checkpoint + ".reserve";
  const int fd = ::open(scratch.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(scratch + ": cannot create it to reserve space (" + std::strerror(errno) + ")");
  const int error = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
  ::close(fd);
  ::unlink(scratch.c_str());
  if (error != 0)
    throw std::runtime_error("no room for a checkpoint of about " + std::to_string(bytes) + " bytes next to " +
                             checkpoint + " (" + std::strerror(error) + "); free some space or raise the quota");
}

}  // namespace pase
