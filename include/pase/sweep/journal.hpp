#pragma once
// The append-only journal of finished points, one per rank: OUTPUT.journal.RANK. Each line is
// "CRC32 JSON\n"; a line torn by a crash fails its check and ends the readable part. Rows reach the
// kernel with one write() each, so a killed process loses none that it finished.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/sweep/results_table.hpp"

namespace pase {

class JournalWriter {
 public:
  // Creates or appends to `path`; a new journal starts with a header naming the fingerprint.
  JournalWriter(const std::string& path, const std::string& fingerprint);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  void append(const SweepRow& row);
  void sync();  // fdatasync: the rows also survive a power loss

 private:
  void write_line(const std::string& json);
  std::string path_;
  int fd_ = -1;
};

struct JournalContents {
  std::string fingerprint;  // empty when the file has no valid header
  std::vector<SweepRow> rows;
  bool torn = false;        // the file ends in an unreadable line (a crash during a write)
};

// Reads every valid line; throws std::runtime_error naming the file when it cannot be read.
JournalContents read_journal(const std::string& path);

// The journal files of a results file (OUTPUT.journal.*), sorted.
std::vector<std::string> journal_files(const std::string& output);
std::string journal_path(const std::string& output, int rank);

}  // namespace pase
