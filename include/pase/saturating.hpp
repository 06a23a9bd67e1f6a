#pragma once
// Counting table sizes that may not fit 64 bits: results stick at UINT64_MAX instead of wrapping.

#include <cstdint>
#include <limits>
#include <string>

namespace pase {

inline std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::numeric_limits<std::uint64_t>::max();
  return product;
}

inline std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::numeric_limits<std::uint64_t>::max();
  return sum;
}

// A count for people: a saturated one (UINT64_MAX) is only known to be at least that large, so it
// reads "more than 1.8e19", never as an exact number.
inline std::string format_count(std::uint64_t count) {
  if (count == std::numeric_limits<std::uint64_t>::max()) return "more than 1.8e19";
  return std::to_string(count);
}

}  // namespace pase
