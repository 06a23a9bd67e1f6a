#pragma once
// Publishing a file so that a crash at any moment leaves either the old or the new one: the new
// content is written to a temporary file next to it, which is synced, renamed over the target, and
// the folder synced.

#include <string>

namespace pase {

// The temporary name used for `path` (PATH.tmp, in the same folder so that rename is atomic).
std::string temporary_path(const std::string& path);

// fsync(tmp), rename(tmp, path), fsync(folder). Throws std::runtime_error naming the file.
void replace_atomically(const std::string& tmp, const std::string& path);

// fsync of a file (or, with `folder`, a folder); `what` names it in the error. Throws
// std::runtime_error naming the path.
void sync_path(const std::string& path, const std::string& what, bool folder = false);

}  // namespace pase
