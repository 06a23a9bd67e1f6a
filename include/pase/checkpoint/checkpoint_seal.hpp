#pragma once
// The seal of a checkpoint: its first 512 bytes (an HDF5 user block, which HDF5, h5dump and h5py
// skip) hold a short text with the file's length and a digest of every byte after the seal:
//
//   pase checkpoint seal 1
//   bytes 409600
//   digest 0123456789abcdef
//
// padded with zero bytes. A reader checks the seal before HDF5 parses anything, so a truncated or
// damaged file is refused with a clear message instead of reaching HDF5's parser, which does not
// survive every kind of damage. The digest is split into blocks, each rank hashing a share of them.

#include <cstdint>
#include <string>

#include "pase/search/collectives.hpp"

namespace pase {

inline constexpr std::uint64_t seal_bytes = 512;

// Computes the digest of the closed file `path` and writes its seal. Collective; throws
// std::runtime_error (on every rank alike) when the file cannot be read or written.
void seal_checkpoint(const std::string& path, Collectives& comm);

// Refuses (CheckpointRefused, on every rank alike) a file whose seal is missing, unreadable, or
// does not match its length or its bytes. Collective.
void check_seal(const std::string& path, Collectives& comm);

}  // namespace pase
