#pragma once
// The seal of a results file: its first 512 bytes (an HDF5 user block, which HDF5, h5dump and h5py
// skip) hold a short text with the file's length and a digest (io/hash.hpp) of every byte after it:
//
//   pase results seal 1
//   bytes 40960
//   digest 0123456789abcdef
//
// padded with zero bytes, as checkpoints are sealed (checkpoint/checkpoint_seal.hpp, which hashes in
// blocks across ranks; results files are written and read by one process). A reader checks the seal
// before HDF5 parses anything: HDF5 does not survive every damaged byte (a changed global heap or
// object header can make it read out of bounds), so no damaged file reaches it.

#include <cstdint>
#include <string>

namespace pase {

inline constexpr std::uint64_t results_seal_bytes = 512;

// Writes the seal of the closed file `path` (created with a user block of results_seal_bytes).
// Throws std::runtime_error naming the file.
void seal_results_file(const std::string& path);

// Checks the seal; throws std::invalid_argument (one line naming the file and the fix) when the file
// is not a regular file, has no seal (files of format 1, written before the seal, are refused too:
// HDF5 would parse them unchecked), or its length or bytes do not match its seal.
void check_results_seal(const std::string& path);

// Whether `path` starts as a results file does (the seal's first line, or HDF5's signature for one of
// format 1), without checking it: for telling a results file from a search report's JSON.
bool starts_as_results_file(const std::string& path);

}  // namespace pase
