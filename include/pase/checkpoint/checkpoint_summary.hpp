#pragma once
// What `pase inspect` prints about a checkpoint: model, cluster, progress in vertices and in DP
// work, size, and whether it is valid.

#include <iosfwd>
#include <string>

#include "pase/checkpoint/checkpoint_reader.hpp"

namespace pase {

// `invalid`: "" when every checksum was verified, else why the checkpoint cannot be used.
void print_checkpoint_summary(std::ostream& out, const CheckpointReader& reader, const std::string& invalid);

}  // namespace pase
