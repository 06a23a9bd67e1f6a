#pragma once
// The checkpoint file's layout (format version 1), documented for h5dump and h5py users in
// src/checkpoint/README.md:
//
//   bytes 0-511            the seal (checkpoint_seal.hpp), an HDF5 user block
//   /                      attributes format = "pase-checkpoint", format_version, writer,
//                          model_file, header_checksum
//   /fingerprint           one string attribute per fingerprint field (search_fingerprint.hpp)
//   /progress              attributes steps_done, steps_total, cells_done, cells_total,
//                          dp_minimum, last_vertex
//   /argmin/step_NNNNNN    back-substitution table of DP step N (uint8/16/32, one entry per table
//                          entry), for every finished step
//   /costs/step_NNNNNN     cost table of step N (float64), for every finished step whose consumer
//                          is not finished yet
//
// Every table is the whole table, in global coordinates, whatever the number of ranks that wrote
// it; each has attributes step, vertex and checksum (table_checksum.hpp). The header checksum is a
// digest of all attributes above and of every table's name, type, size and checksum.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/checkpoint/search_fingerprint.hpp"
#include "pase/io/hdf5_file.hpp"

namespace pase {

inline constexpr const char* checkpoint_format_name = "pase-checkpoint";
inline constexpr std::uint64_t checkpoint_format_version = 1;

struct TableRecord {
  std::string dataset;  // "/argmin/step_000012" or "/costs/step_000012"
  int step = 0;
  bool costs = false;
  std::string vertex;  // name of the step's vertex (layer)
  h5::Element element = h5::Element::u8;
  std::uint64_t entries = 0;
  std::uint64_t checksum = 0;
};

struct CheckpointHeader {
  std::uint64_t format_version = checkpoint_format_version;
  std::string writer;
  std::string model_file;
  SearchFingerprint fingerprint;
  std::uint64_t steps_done = 0;
  std::uint64_t steps_total = 0;
  std::uint64_t cells_done = 0;
  std::uint64_t cells_total = 0;
  double dp_minimum = 0;
  std::string last_vertex;          // the last finished step's vertex ("" before the first)
  std::vector<TableRecord> tables;  // argmin tables by step, then cost tables by step
  std::string header_checksum;
};

std::string table_dataset(int step, bool costs);

// The digest stored as header_checksum: of every other field of the header.
std::string header_digest(const CheckpointHeader& header);

}  // namespace pase
