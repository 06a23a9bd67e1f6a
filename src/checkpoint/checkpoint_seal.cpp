#include "pase/checkpoint/checkpoint_seal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "pase/checkpoint/agreement.hpp"
#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/checkpoint/table_checksum.hpp"

namespace pase {

namespace {

constexpr std::uint64_t block_bytes = 1 << 20;
constexpr const char* magic = "pase checkpoint seal 1\n";

// Every step is a bijection of the running value, so a change confined to one 8-byte word always
// changes the block's hash.
std::uint64_t block_hash(std::uint64_t index, const unsigned char* data, std::size_t size) {
  std::uint64_t h = mix(index + 0x5ea1ed);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, data + i, 8);
    h = mix_word(h, w);
  }
  std::uint64_t w = 0;
  std::memcpy(&w, data + i, size - i);
  h = mix_word(h, w);
  return mix(h ^ size);
}

class Fd {
 public:
  Fd(const std::string& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("cannot open it (" + std::string(std::strerror(errno)) + ")");
  }
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  operator int() const { return fd_; }

 private:
  int fd_;
};

void read_exactly(int fd, unsigned char* data, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw std::runtime_error(n < 0 ? "cannot read it (" + std::string(std::strerror(errno)) + ")"
                                     : "it ended while being read");
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

std::uint64_t file_size(int fd) {
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) throw std::runtime_error("cannot find its size (" + std::string(std::strerror(errno)) + ")");
  return static_cast<std::uint64_t>(end);
}

// This rank's share of the digest of bytes [seal_bytes, size): the sum of its blocks' hashes.
std::uint64_t digest_share(int fd, std::uint64_t size, Collectives& comm) {
  const std::uint64_t body = size > seal_bytes ? size - seal_bytes : 0;
  const std::uint64_t blocks = (body + block_bytes - 1) / block_bytes;
  const EntryRange mine = even_share(blocks, comm.rank(), comm.size());
  std::vector<unsigned char> buffer(block_bytes);
  std::uint64_t sum = 0;
  for (std::uint64_t b = mine.begin; b < mine.end; ++b) {
    const std::uint64_t begin = seal_bytes + b * block_bytes;
    const auto length = static_cast<std::size_t>(std::min(block_bytes, size - begin));
    read_exactly(fd, buffer.data(), length, begin);
    sum += block_hash(b, buffer.data(), length);
  }
  return sum;
}

std::string seal_text(std::uint64_t size, std::uint64_t digest) {
  char text[128];
  std::snprintf(text, sizeof text, "%sbytes %llu\ndigest %016llx\n", magic, static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(digest));
  return text;
}

}  // namespace

void seal_checkpoint(const std::string& path, Collectives& comm) {
  std::uint64_t size = 0;
  std::vector<std::uint64_t> digest(1, 0);
  std::string error = agree(comm, [&] {
    Fd fd(path, O_RDONLY);
    size = file_size(fd);
    digest[0] = digest_share(fd, size, comm);
  });
  if (!error.empty()) throw std::runtime_error("cannot seal " + path + ": " + error);
  comm.allreduce_sum(digest);
  error = agree(comm, [&] {
    if (comm.rank() != 0) return;
    std::string block = seal_text(size, digest[0]);
    block.resize(seal_bytes, '\0');
    Fd fd(path, O_WRONLY);
    if (::pwrite(fd, block.data(), block.size(), 0) != static_cast<ssize_t>(block.size()))
      throw std::runtime_error("cannot write its seal (" + std::string(std::strerror(errno)) + ")");
  });
  if (!error.empty()) throw std::runtime_error("cannot seal " + path + ": " + error);
}

void check_seal(const std::string& path, Collectives& comm) {
  std::uint64_t size = 0, sealed_size = 0, sealed_digest = 0;
  std::vector<std::uint64_t> digest(1, 0);
  const std::string error = agree(comm, [&] {
    Fd fd(path, O_RDONLY);
    size = file_size(fd);
    std::vector<unsigned char> head(seal_bytes, 0);
    read_exactly(fd, head.data(), static_cast<std::size_t>(std::min(size, seal_bytes)), 0);
    const std::string text(reinterpret_cast<const char*>(head.data()), head.size());
    static const char hdf5_signature[] = "\x89HDF\r\n\x1a\n";
    if (text.compare(0, 8, hdf5_signature) == 0)
      throw CheckpointRefused(
          "not a pase checkpoint (an HDF5 file without pase's seal); give a file written by "
          "'pase search --checkpoint'");
    if (size < std::strlen(magic) && std::string(magic).compare(0, size, text, 0, size) == 0)
      throw CheckpointRefused("truncated to " + std::to_string(size) + " bytes");
    if (text.compare(0, std::strlen(magic), magic) != 0)
      throw CheckpointRefused(
          "not a pase checkpoint (it does not start with \"pase checkpoint seal\", nor is it "
          "HDF5); give a file written by 'pase search --checkpoint'");
    unsigned long long bytes = 0, sum = 0;
    int used = 0;
    if (std::sscanf(text.c_str() + std::strlen(magic), "bytes %llu\ndigest %16llx\n%n", &bytes, &sum, &used) != 2 ||
        used == 0)
      throw CheckpointRefused(size < seal_bytes ? "truncated to " + std::to_string(size) + " bytes"
                                                : "damaged checkpoint: its seal cannot be read");
    const std::size_t end = std::strlen(magic) + static_cast<std::size_t>(used);
    if (size >= seal_bytes && text != seal_text(bytes, sum) + std::string(seal_bytes - end, '\0'))
      throw CheckpointRefused("damaged checkpoint: its seal (the first " + std::to_string(seal_bytes) +
                              " bytes) is altered");
    sealed_size = bytes;
    sealed_digest = sum;
    if (size != sealed_size)
      throw CheckpointRefused(size < sealed_size ? "truncated: " + std::to_string(size) + " bytes of the " +
                                                       std::to_string(sealed_size) + " it was written with"
                                                 : "damaged checkpoint: " + std::to_string(size) + " bytes, but " +
                                                       std::to_string(sealed_size) + " were written");
    digest[0] = digest_share(fd, size, comm);
  });
  if (!error.empty()) throw CheckpointRefused(path + ": " + error);
  comm.allreduce_sum(digest);
  if (digest[0] != sealed_digest)
    throw CheckpointRefused(path +
                            ": damaged checkpoint: its bytes do not match the digest in its seal; start a new "
                            "checkpoint or use an intact copy");
}

}  // namespace pase
