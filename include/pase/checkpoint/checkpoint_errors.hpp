#pragma once
// The two ways checkpointing fails, thrown on every rank alike (see agreement.hpp).

#include <stdexcept>

namespace pase {

// A checkpoint cannot be used: unreadable, damaged, foreign, of another search, or another run
// holds it. An input error (exit code 2).
struct CheckpointRefused : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A checkpoint could not be written (full disk, I/O error); the previous one, if any, is kept.
struct CheckpointWriteFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A write failed after HDF5 had started writing the file (an I/O error, or space taken by someone
// else after it was reserved). HDF5 1.10 cannot go on safely then: the run must end at once,
// without shutting HDF5 down (exit code 1). The previous checkpoint is kept.
struct CheckpointWriteAborted : CheckpointWriteFailed {
  using CheckpointWriteFailed::CheckpointWriteFailed;
};

}  // namespace pase
