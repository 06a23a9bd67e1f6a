#include "pase/checkpoint/table_checksum.hpp"

#include <cstring>

namespace pase {

namespace {

std::uint64_t entry(std::uint64_t salt, std::uint64_t index, std::uint64_t bits) {
  return mix(mix(salt ^ index) + bits);
}

}  // namespace

std::uint64_t table_salt(int step, bool costs) {
  return mix(0x7061736563686b70ULL + 2 * static_cast<std::uint64_t>(step) + (costs ? 1 : 0));
}

std::uint64_t checksum_part(std::uint64_t salt, const double* values, std::uint64_t origin, std::uint64_t first,
                            std::uint64_t count) {
  std::uint64_t sum = 0;
  for (std::uint64_t i = first; i < first + count; ++i) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &values[i - origin], sizeof bits);
    sum += entry(salt, i, bits);
  }
  return sum;
}

std::uint64_t checksum_part(std::uint64_t salt, const ArgminTable& values, std::uint64_t origin, std::uint64_t first,
                            std::uint64_t count) {
  std::uint64_t sum = 0;
  for (std::uint64_t i = first; i < first + count; ++i) sum += entry(salt, i, values.at(i - origin));
  return sum;
}

EntryRange even_share(std::uint64_t entries, int rank, int ranks) {
  // entries * r / n without overflow: split entries = q n + m.
  const auto r = static_cast<std::uint64_t>(rank), n = static_cast<std::uint64_t>(ranks);
  const std::uint64_t q = entries / n, m = entries % n;
  return {q * r + m * r / n, q * (r + 1) + m * (r + 1) / n};
}

}  // namespace pase
