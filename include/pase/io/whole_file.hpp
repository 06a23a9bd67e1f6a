#pragma once

#include <string>

namespace pase {

// The whole content of a file; throws std::invalid_argument naming it (as `what`) when it cannot be
// read.
std::string read_whole_file(const std::string& path, const std::string& what);

}  // namespace pase
