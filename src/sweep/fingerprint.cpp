#include "pase/sweep/fingerprint.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pase {

void Fingerprint::mix(unsigned char byte) {
  state_ ^= byte;
  state_ *= 0x100000001b3ULL;
}

void Fingerprint::add(std::string_view bytes) {
  std::uint64_t length = bytes.size();
  for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(length >> (8 * i)));
  for (const char c : bytes) mix(static_cast<unsigned char>(c));
}

std::string Fingerprint::hex() const {
  char text[32];
  std::snprintf(text, sizeof text, "fnv1a64:%016llx", static_cast<unsigned long long>(state_));
  return text;
}

std::string read_whole_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the " + what + " (does it exist?)");
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace pase
