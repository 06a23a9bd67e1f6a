#pragma once
// Checks shared by every command that writes a file the user named.

#include <string>
#include <vector>

namespace pase {

// Throws std::invalid_argument (one line naming `option` and `output`) when `output` resolves to the same
// file as one of `inputs` (same device and inode, so links and "./x" spellings are caught), or when it
// is an existing FIFO, block device or folder (a character device such as /dev/null is fine). A missing `output` or "-" (stdout) is fine.
void check_output_path(const std::string& option, const std::string& output, const std::vector<std::string>& inputs);

}  // namespace pase
