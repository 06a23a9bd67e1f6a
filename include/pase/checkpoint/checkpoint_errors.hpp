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

}  // namespace pase
