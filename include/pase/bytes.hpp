#pragma once
// Memory sizes as people write and read them.

#include <cstdint>
#include <string>

namespace pase {

// "1.5 GiB", "263 B".
std::string format_bytes(std::uint64_t bytes);
// "16G", "512M", "1.5K", "1024" (bytes); K, M, G, T, P are powers of 1024. Throws
// std::invalid_argument naming `option`.
std::uint64_t parse_bytes(const std::string& text, const std::string& option);

}  // namespace pase
