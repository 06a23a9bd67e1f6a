#pragma once
// pase's one hash family, 64-bit: SplitMix64's finaliser (`mix`) and a rotate-multiply step per
// 8-byte word (`mix_word`), every step a bijection of the running value, so a change confined to
// one word always changes the hash. Used for content fingerprints (Fingerprint), DP table
// checksums and the checkpoint seal. Not cryptographic: it catches damage and mix-ups, not
// forgeries.

#include <cstdint>
#include <string>
#include <string_view>

namespace pase {

// SplitMix64's finaliser: every input bit affects every output bit.
inline std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// One word into a running hash.
inline std::uint64_t mix_word(std::uint64_t h, std::uint64_t word) {
  h ^= word;
  return (h << 29 | h >> 35) * 0x9e3779b97f4a7c15ULL;
}

// A fingerprint of a sequence of byte strings and words, printed as hex.
class Fingerprint {
 public:
  // Adds the length and the bytes, so that ("ab", "c") and ("a", "bc") differ.
  void add(std::string_view bytes);
  void add_word(std::uint64_t word) {
    state_ = mix_word(state_, word);
    ++words_;
  }
  std::uint64_t value() const { return mix(state_ ^ words_); }
  std::uint64_t words() const { return words_; }
  std::string hex() const;  // "pase64:" and 16 hex digits

 private:
  std::uint64_t state_ = 0x243f6a8885a308d3ULL;
  std::uint64_t words_ = 0;
};

}  // namespace pase
