#pragma once
// Writing a checkpoint: every rank writes its part of every table (collective hyperslab writes)
// into one new file next to the target (TARGET.tmp), which is flushed, closed, sealed
// (checkpoint_seal.hpp) and synced, and renamed over the target only after every rank has
// succeeded; then the folder is synced. A crash
// at any moment leaves the previous checkpoint (or none) at the target, never a torn one.

#include <cstdint>
#include <string>

#include "pase/checkpoint/search_fingerprint.hpp"
#include "pase/search/collectives.hpp"
#include "pase/search/distribution.hpp"
#include "pase/search/dp_state.hpp"

namespace pase {

struct CheckpointInput {
  const Problem& problem;
  const Plan& plan;
  const Distribution& distribution;  // how this run's tables are spread over its ranks
  const DpState& state;              // this rank's part
  const SearchFingerprint& fingerprint;
  std::string model_file;
};

struct CheckpointWritten {
  std::uint64_t bytes = 0;  // size of the file
  double seconds = 0;       // from the first checksum to the synced folder
};

// Every rank calls it at the same safe point. Throws CheckpointWriteFailed on every rank when any
// rank failed (full disk, I/O error): `path` is then untouched and the temporary file removed.
CheckpointWritten write_checkpoint(const std::string& path, const CheckpointInput& input, Collectives& comm);

}  // namespace pase
