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
  if (::stat(output.c_str(), &out) != 0) {
    // Does not exist yet (or cannot be read: the writer reports it); an input that does not exist yet
    // either (a new checkpoint) must still not be the same path.
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path ours = fs::weakly_canonical(fs::absolute(output), ec);
    for (const auto& input : inputs) {
      std::error_code ec2;
      if (!ec && fs::weakly_canonical(fs::absolute(input), ec2) == ours && !ec2)
        throw std::invalid_argument(option + " " + output + ": is also the input " + input + "; write to another file");
    }
    return;
  }
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
  fs::path p(path);
  // Follows the chain by hand: a link to a file that does not exist yet (a sweep just started) counts too.
  for (int hops = 0; hops < 40 && fs::is_symlink(p, ec); ++hops) {
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) return path;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  return p == fs::path(path) ? path : fs::weakly_canonical(fs::absolute(p), ec).string();
}

}  // namespace pase
