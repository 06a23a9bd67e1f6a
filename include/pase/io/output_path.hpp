#pragma once
// Checks shared by every command that writes a file the user named.

#include <string>
#include <vector>

namespace pase {

// Throws std::invalid_argument (one line naming `option` and `output`) when `output` resolves to the same
// file as one of `inputs` (same device and inode, so links and "./x" spellings are caught), or when it
// is an existing FIFO, block device or folder (a character device such as /dev/null is fine). A missing `output` or "-" (stdout) is fine.
void check_output_path(const std::string& option, const std::string& output, const std::vector<std::string>& inputs);

// check_output_path, and refuses character devices too: for files that pase writes next to (a
// PATH.tmp, PATH.lock, journals), such as results files and checkpoints.
void check_data_file_path(const std::string& option, const std::string& output, const std::vector<std::string>& inputs);

// The file that `path` leads to when it is a symbolic link (resolved to the end, also when that file
// does not exist yet), else `path`: locks,
// journals and replacements then act on the file itself, so two runs that reach one file through a link
// share its lock (other names of its folder already lead to the same PATH.lock).
std::string resolved_path(const std::string& path);

}  // namespace pase
