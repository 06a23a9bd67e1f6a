#pragma once
// The results of a sweep on disk: the HDF5 file OUTPUT plus the journals OUTPUT.journal.RANK that
// ranks append finished points to. Folding reads both, drops duplicates and publishes a new OUTPUT
// atomically; the journals are removed only after that, so a crash at any moment loses nothing that
// reached a journal and never leaves a damaged OUTPUT.

#include <string>
#include <vector>

#include "pase/io/file_lock.hpp"

#include "pase/sweep/results_table.hpp"

namespace pase {

class ResultsStore {
 public:
  ResultsStore(std::string output, ResultsMeta meta);

  // Every row in OUTPUT and the journals. Throws std::invalid_argument with a clear message when
  // OUTPUT or a journal belongs to another sweep or is damaged. A journal row never replaces a
  // finished row of OUTPUT (RowSet); a journal row of a point finished already with other results
  // (in OUTPUT or an earlier journal) adds, with `warnings`, a line naming the journal and the point.
  RowSet load(std::vector<std::string>* warnings = nullptr) const;

  // Writes OUTPUT with every row (load()); with `remove_journals` deletes the journals afterwards
  // (only when no rank is appending any more). Returns the number of rows written.
  std::size_t fold(bool remove_journals) const;

  const std::string& output() const { return output_; }
  const ResultsMeta& meta() const { return meta_; }

 private:
  std::string output_;
  ResultsMeta meta_;
};

// Holds an exclusive FileLock on OUTPUT.lock while alive, so that two sweeps never write one
// results file. The lock dies with the process, so a killed sweep leaves nothing to clean up.
class OutputLock {
 public:
  explicit OutputLock(const std::string& output);  // throws std::runtime_error when another holds it

 private:
  FileLock lock_;
};

}  // namespace pase
