#include "pase/io/hash.hpp"

#include <cstdio>
#include <cstring>

namespace pase {

void Fingerprint::add(std::string_view bytes) {
  add_word(bytes.size());
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    add_word(w);
  }
  if (i < bytes.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, bytes.data() + i, bytes.size() - i);
    add_word(w);
  }
}

std::string Fingerprint::hex() const {
  char text[32];
  std::snprintf(text, sizeof text, "pase64:%016llx", static_cast<unsigned long long>(value()));
  return text;
}

}  // namespace pase
