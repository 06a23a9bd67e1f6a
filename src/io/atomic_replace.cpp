#include "pase/io/atomic_replace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace pase {

void sync_path(const std::string& path, const std::string& what, bool folder) {
  const int fd = ::open(path.c_str(), O_RDONLY | (folder ? O_DIRECTORY : 0) | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": cannot open " + what + " to sync it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error(path + ": fsync of " + what + " failed: " + std::strerror(saved));
}

std::string temporary_path(const std::string& path) { return path + ".tmp"; }

void replace_atomically(const std::string& tmp, const std::string& path) {
  sync_path(tmp, "the new file");
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot rename " + tmp + " over it: " + std::strerror(errno));
  const auto folder = std::filesystem::path(path).parent_path();
  sync_path(folder.empty() ? "." : folder.string(), "its folder", true);
}

}  // namespace pase
