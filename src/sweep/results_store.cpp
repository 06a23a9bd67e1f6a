#include "pase/sweep/results_store.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "pase/sweep/results_file.hpp"
#include "pase/sweep/journal.hpp"

namespace pase {

ResultsStore::ResultsStore(std::string output, ResultsMeta meta) : output_(std::move(output)), meta_(std::move(meta)) {}

RowSet ResultsStore::load() const {
  RowSet rows;
  if (std::filesystem::exists(output_)) {
    ResultsTable existing = read_results_file(output_);
    check_same_sweep(meta_, "this spec", existing.meta, output_);
    for (auto& row : existing.rows) rows.add(std::move(row));
  }
  for (const auto& file : journal_files(output_)) {
    JournalContents journal = read_journal(file);
    if (journal.fingerprint.empty() && journal.rows.empty()) continue;  // killed while writing its header
    if (journal.fingerprint != meta_.fingerprint)
      throw std::invalid_argument(file + ": journal of another sweep (" + journal.fingerprint + ", this spec is " +
                                  meta_.fingerprint + "); delete it or write to another --output");
    for (auto& row : journal.rows) {
      if (row.params.size() != meta_.param_columns.size() || row.point >= meta_.point_count)
        throw std::invalid_argument(file + ": row of point " + std::to_string(row.point) +
                                    " does not fit this sweep; delete the journal");
      rows.add(std::move(row));
    }
  }
  return rows;
}

std::size_t ResultsStore::fold(bool remove_journals) const {
  const auto journals = journal_files(output_);
  ResultsTable table{meta_, load().rows()};
  write_results_file(output_, table);
  if (remove_journals)
    for (const auto& file : journals) std::remove(file.c_str());
  return table.rows.size();
}

OutputLock::OutputLock(const std::string& output) : lock_(output + ".lock", FileLock::Mode::exclusive) {
  if (lock_.outcome() == FileLock::Outcome::cannot_open)
    throw std::runtime_error(lock_.path() + ": cannot create the lock file: " + std::strerror(lock_.error()) +
                             " (does the folder exist?)");
  if (lock_.outcome() != FileLock::Outcome::held)
    throw std::runtime_error(output + ": another 'pase sweep' is writing this results file (it holds " + lock_.path() +
                             "); wait for it or choose another --output");
}

}  // namespace pase
