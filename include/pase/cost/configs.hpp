#pragma once
// Configurations: how many ways each dimension of an iteration space is split.

#include <cstdint>
#include <vector>

namespace pase {

using Shape = std::vector<std::int64_t>;
using Config = std::vector<std::int64_t>;

// Divisors e of d with d / e >= cutoff and e <= max_split, ascending; {1} when there are none (the
// prototype's rule).
std::vector<std::int64_t> allowed_splits(std::int64_t d, std::int64_t cutoff,
                                         std::int64_t max_split = INT64_MAX);

// Every tuple (c1..cn), ci in allowed_splits(dims[i]), with c1*...*cn <= procs, in lexicographic
// order (first dimension slowest). A dimension of size 1 is never split. Throws
// std::invalid_argument beyond max_configs_per_layer tuples.
std::vector<Config> enumerate_configs(const Shape& dims, std::int64_t procs, std::int64_t cutoff);

inline constexpr std::size_t max_configs_per_layer = 1u << 16;

std::int64_t product(const Config& c);

}  // namespace pase
