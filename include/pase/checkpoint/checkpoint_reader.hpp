#pragma once
// Reading a checkpoint back: its header (for `pase inspect` and to compare fingerprints), a full
// verification of its checksums, and each rank's part of the DP state for the current number of
// ranks. Every function is called by every rank together; every failure is a CheckpointRefused
// thrown on every rank, with a one-line message naming the file and what is wrong with it.

#include <optional>
#include <string>

#include "pase/checkpoint/checkpoint_layout.hpp"
#include "pase/io/hdf5_file.hpp"
#include "pase/search/collectives.hpp"
#include "pase/search/distribution.hpp"
#include "pase/search/dp_state.hpp"

namespace pase {

class CheckpointReader {
 public:
  // Opens the file and reads its header. Refuses an empty, foreign, truncated or temporary file
  // (PATH.tmp, left by an interrupted write) and another format version.
  CheckpointReader(const std::string& path, Collectives& comm);

  const std::string& path() const { return path_; }
  const CheckpointHeader& header() const { return header_; }
  std::uint64_t file_bytes() const { return file_bytes_; }

  // Checks the header checksum, then every table against its checksum, each rank reading a
  // disjoint share of each table.
  void verify();

  // This rank's part of the state for a search whose tables `distribution` spreads over the
  // current ranks (any number). Checks that the tables fit `plan` and its configuration counts.
  DpState load(const Problem& problem, const Plan& plan, const Distribution& distribution);

  void close();

 private:
  [[noreturn]] void refuse(const std::string& what) const;
  void read_header();

  std::string path_;
  Collectives& comm_;
  std::optional<h5::File> file_;
  CheckpointHeader header_;
  std::uint64_t file_bytes_ = 0;
};

}  // namespace pase
