#pragma once
// Making room for a checkpoint before HDF5 writes any of it. A write that fails half-way leaves
// HDF5 1.10 unable to close the file (it then crashes when it shuts down), so a full disk, a full
// quota or a file size limit must be found first: the space is reserved with posix_fallocate in a
// scratch file next to the checkpoint (CHECKPOINT.reserve), which is removed again at once, just
// before HDF5 creates the checkpoint's temporary file in the space it freed.

#include <cstdint>
#include <string>

namespace pase {

// Throws std::runtime_error naming the folder, the size and the reason when `bytes` do not fit.
void reserve_space(const std::string& checkpoint, std::uint64_t bytes);

}  // namespace pase
