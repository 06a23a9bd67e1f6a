#include "pase/io/whole_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pase {

std::string read_whole_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the " + what + " (does it exist?)");
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

void reserve_room(const std::string& path, std::uint64_t bytes, const std::string& what) {
  const std::string scratch = path + ".reserve";
  const int fd = ::open(scratch.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(scratch + ": cannot create it to reserve room for the " + what + " (" +
                                       std::strerror(errno) + ")");
  const int error = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
  ::close(fd);
  ::unlink(scratch.c_str());
  if (error != 0)
    throw std::runtime_error(path + ": no room for the " + what + " (about " + std::to_string(bytes) + " bytes: " +
                             std::strerror(error) + "); free some space or raise the quota");
}

}  // namespace pase
