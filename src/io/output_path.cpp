#include "pase/io/output_path.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

namespace pase {

namespace {

void check(const std::string& option, const std::string& output, const std::vector<std::string>& inputs,
           bool character_devices) {
  if (output == "-") return;
  struct stat out{};
  if (::stat(output.c_str(), &out) != 0) return;  // does not exist yet (or cannot be read): the writer reports it
  if (S_ISDIR(out.st_mode)) throw std::invalid_argument(option + " " + output + ": is a folder; name a file");
  // A character device (/dev/null, a terminal) never blocks and holds no data; a FIFO blocks forever when
  // nobody reads it, and writing a block device destroys what it holds.
  if (!S_ISREG(out.st_mode) && !(character_devices && S_ISCHR(out.st_mode)))
    throw std::invalid_argument(option + " " + output + ": is not a regular file (a FIFO or device); name a file");
  for (const auto& input : inputs) {
    struct stat in{};
    if (::stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
      throw std::invalid_argument(option + " " + output + ": is also the input " + input +
                                  "; write to another file");
  }
}

}  // namespace

void check_output_path(const std::string& option, const std::string& output, const std::vector<std::string>& inputs) {
  check(option, output, inputs, true);
}

void check_data_file_path(const std::string& option, const std::string& output, const std::vector<std::string>& inputs) {
  if (output == "-") throw std::invalid_argument(option + " -: needs a file (pase writes it whole and replaces it)");
  check(option, output, inputs, false);
}

std::string resolved_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_symlink(path, ec)) return path;  // other names of its folder lead to the same lock and journals
  const fs::path real = fs::canonical(path, ec);
  return ec ? path : real.string();  // a dangling link is replaced like a missing file
}

}  // namespace pase
