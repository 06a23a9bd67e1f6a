#include "pase/sweep/results_seal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "pase/io/hash.hpp"

namespace pase {

namespace {

constexpr const char* magic = "pase results seal 1\n";
constexpr std::size_t block_bytes = 1 << 20;
constexpr char hdf5_signature[] = "\x89HDF\r\n\x1a\n";
const std::string damaged = "; the file is damaged: rerun the sweep into a new --output, or restore a copy";

class Fd {
 public:
  Fd(const std::string& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC)) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  operator int() const { return fd_; }

 private:
  int fd_;
};

// Reads up to `size` bytes at `offset`; fewer only at the end of the file. -1 on an error.
ssize_t read_at(int fd, char* data, std::size_t size, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

// The digest of bytes [results_seal_bytes, size): the length, then the bytes block by block.
std::uint64_t digest(int fd, std::uint64_t size, const std::string& path) {
  Fingerprint f;
  f.add_word(size);
  std::vector<char> buffer(block_bytes);
  for (std::uint64_t at = results_seal_bytes; at < size; at += block_bytes) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block_bytes, size - at));
    if (read_at(fd, buffer.data(), want, at) != static_cast<ssize_t>(want))
      throw std::runtime_error(path + ": cannot read it (" + std::string(std::strerror(errno)) + ")");
    f.add(std::string_view(buffer.data(), want));
  }
  return f.value();
}

std::string seal_text(std::uint64_t size, std::uint64_t sum) {
  char text[128];
  std::snprintf(text, sizeof text, "%sbytes %llu\ndigest %016llx\n", magic, static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(sum));
  std::string block = text;
  block.resize(results_seal_bytes, '\0');
  return block;
}

}  // namespace

void seal_results_file(const std::string& path) {
  Fd fd(path, O_RDWR);
  if (fd < 0) throw std::runtime_error(path + ": cannot open it to seal it (" + std::strerror(errno) + ")");
  struct stat st{};
  if (::fstat(fd, &st) != 0) throw std::runtime_error(path + ": cannot find its size (" + std::strerror(errno) + ")");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::string block = seal_text(size, digest(fd, size, path));
  if (::pwrite(fd, block.data(), block.size(), 0) != static_cast<ssize_t>(block.size()))
    throw std::runtime_error(path + ": cannot write its seal (" + std::strerror(errno) + ")");
}

void check_results_seal(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0)
    throw std::invalid_argument(path + ": cannot open the results file (" + std::strerror(errno) + ")");
  if (!S_ISREG(st.st_mode))
    throw std::invalid_argument(path + ": is not a regular file (" +
                                std::string(S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a device") +
                                "); name a results file written by 'pase sweep'");
  Fd fd(path, O_RDONLY);
  if (fd < 0) throw std::invalid_argument(path + ": cannot open the results file (" + std::strerror(errno) + ")");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::string head(results_seal_bytes, '\0');
  const ssize_t got = read_at(fd, head.data(), head.size(), 0);
  if (got < 0) throw std::invalid_argument(path + ": cannot read the results file (" + std::strerror(errno) + ")");
  if (head.compare(0, 8, hdf5_signature) == 0)
    throw std::invalid_argument(path + ": an HDF5 file without pase's seal (a results file of format 1, or not written "
                                "by 'pase sweep'); read it with the pase that wrote it, or rerun the sweep");
  if (head.compare(0, std::strlen(magic), magic) != 0)
    throw std::invalid_argument(path + ": not a pase sweep results file (it starts neither with \"pase results "
                                "seal\" nor as HDF5); name a file written by 'pase sweep'");
  unsigned long long bytes = 0, sum = 0;
  if (std::sscanf(head.c_str() + std::strlen(magic), "bytes %llu\ndigest %16llx\n", &bytes, &sum) != 2 ||
      head != seal_text(bytes, sum))
    throw std::invalid_argument(path + ": its seal (the first " + std::to_string(results_seal_bytes) +
                                " bytes) is altered" + damaged);
  if (size != bytes)
    throw std::invalid_argument(path + ": " + std::to_string(size) + " bytes, but it was written with " +
                                std::to_string(bytes) + (size < bytes ? " (truncated)" : "") + damaged);
  std::uint64_t computed = 0;
  try {
    computed = digest(fd, size, path);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
  if (computed != sum) throw std::invalid_argument(path + ": its bytes do not match the digest in its seal" + damaged);
}

bool starts_as_results_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(std::strlen(magic), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head == magic || head.compare(0, 8, hdf5_signature) == 0;
}

}  // namespace pase
