#pragma once
// Checksums of DP tables that do not depend on how a table is split among ranks: the sum, modulo
// 2^64, of a 64-bit mix of (table salt, global entry index, value bits) over the entries. Each
// rank sums its part; the parts add up (Collectives::allreduce_sum) to the same number for any
// number of ranks. A changed, swapped or moved value changes the sum.

#include <cstdint>

#include "pase/io/hash.hpp"
#include "pase/search/dp_state.hpp"

namespace pase {

// A salt per table, so that two tables' contents cannot stand in for each other.
std::uint64_t table_salt(int step, bool costs);

// Entries [first, first + count) in global coordinates, held from `origin` on.
std::uint64_t checksum_part(std::uint64_t salt, const double* values, std::uint64_t origin, std::uint64_t first,
                            std::uint64_t count);
std::uint64_t checksum_part(std::uint64_t salt, const ArgminTable& values, std::uint64_t origin, std::uint64_t first,
                            std::uint64_t count);

// [n r / R, n (r + 1) / R): the share of entries rank r of R writes or verifies when every rank
// holds the whole table.
struct EntryRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const { return end - begin; }
};
EntryRange even_share(std::uint64_t entries, int rank, int ranks);

}  // namespace pase
