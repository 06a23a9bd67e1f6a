#pragma once
// A content fingerprint: 64-bit FNV-1a over a sequence of byte strings, printed as hex.

#include <cstdint>
#include <string>
#include <string_view>

namespace pase {

class Fingerprint {
 public:
  // Adds the length and the bytes, so that ("ab", "c") and ("a", "bc") differ.
  void add(std::string_view bytes);
  std::string hex() const;  // "fnv1a64:" and 16 hex digits

 private:
  void mix(unsigned char byte);
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

// The whole content of a file; throws std::invalid_argument naming it when it cannot be read.
std::string read_whole_file(const std::string& path, const std::string& what);

}  // namespace pase
