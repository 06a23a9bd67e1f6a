#include "pase/sweep/results_store.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "pase/io/output_path.hpp"
#include "pase/sweep/results_file.hpp"
#include "pase/sweep/journal.hpp"

namespace pase {

ResultsStore::ResultsStore(std::string output, ResultsMeta meta) : output_(std::move(output)), meta_(std::move(meta)) {}

RowSet ResultsStore::load(std::vector<std::string>* warnings) const {
  RowSet rows;
  if (std::filesystem::exists(output_)) {
    ResultsTable existing = read_results_file(output_);
    check_same_sweep(meta_, "this spec", existing.meta, output_);
    for (auto& row : existing.rows) rows.add(std::move(row), true);
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
      const std::uint64_t point = row.point;
      const RowSet::Added added = rows.add(std::move(row));
      if (warnings && added == RowSet::Added::conflict)
        warnings->push_back(file + ": point " + std::to_string(point) + " is finished in " + output_ +
                            " with other results; kept that row and ignored the journal's (a damaged or forged "
                            "journal? delete it if this repeats)");
      if (warnings && added == RowSet::Added::replaced_conflict)
        warnings->push_back(file + ": point " + std::to_string(point) +
                            " is finished in an earlier journal with other results; this journal's row replaces it "
                            "(a damaged or forged journal? rerun that point to be sure)");
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

// The lock of the file itself: two sweeps that reach one results file through a symbolic link share it.
OutputLock::OutputLock(const std::string& output) : lock_(resolved_path(output) + ".lock", FileLock::Mode::exclusive) {
  if (lock_.outcome() == FileLock::Outcome::cannot_open)
    throw std::runtime_error(lock_.path() + ": cannot create the lock file: " + std::strerror(lock_.error()) +
                             " (does the folder exist?)");
  if (lock_.outcome() != FileLock::Outcome::held)
    throw std::runtime_error(output + ": another 'pase sweep' is writing this results file (it holds " + lock_.path() +
                             "); wait for it or choose another --output");
}

}  // namespace pase
