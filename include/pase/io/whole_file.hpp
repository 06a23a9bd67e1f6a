#pragma once

#include <cstdint>
#include <string>

namespace pase {

// The whole content of a file; throws std::invalid_argument naming it (as `what`) when it cannot be
// read.
std::string read_whole_file(const std::string& path, const std::string& what);

// Makes sure `bytes` fit next to `path`: allocates them in a scratch file (path + ".reserve") and
// removes it. Throws std::runtime_error naming `path` and `what` when there is no room (a full
// disk or quota, a file size limit), before anything is written to `path`.
void reserve_room(const std::string& path, std::uint64_t bytes, const std::string& what);

}  // namespace pase
