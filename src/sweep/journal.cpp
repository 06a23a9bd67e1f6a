#include "pase/sweep/journal.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pase {

namespace {

namespace fs = std::filesystem;

std::string crc_hex(const std::string& text) {
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(crc));
  return hex;
}

std::string header_json(const std::string& fingerprint) {
  return nlohmann::json({{"pase_journal", 1}, {"fingerprint", fingerprint}}).dump();
}

}  // namespace

JournalWriter::JournalWriter(const std::string& path, const std::string& fingerprint) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(path + ": cannot open the journal: " + std::strerror(errno));
  const off_t size = ::lseek(fd_, 0, SEEK_END);
  if (size > 0) {
    const JournalContents existing = read_journal(path);
    if (existing.fingerprint.empty() && existing.rows.empty()) {
      if (::ftruncate(fd_, 0) != 0) throw std::runtime_error(path + ": cannot truncate the journal: " + std::strerror(errno));
    } else if (existing.fingerprint != fingerprint) {
      throw std::runtime_error(path + ": journal of another sweep (" + existing.fingerprint +
                               "); delete it or write to another --output");
    } else {
      // A torn last line would glue itself to the next row: end it first.
      char last = '\n';
      if (::pread(fd_, &last, 1, size - 1) == 1 && last != '\n') write_line("");
      return;
    }
  }
  write_line(header_json(fingerprint));
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalWriter::write_line(const std::string& json) {
  const std::string line = json.empty() ? std::string("\n") : crc_hex(json) + " " + json + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(path_ + ": writing the journal failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

void JournalWriter::append(const SweepRow& row) { write_line(row_to_json(row)); }

void JournalWriter::sync() {
  if (::fdatasync(fd_) != 0) throw std::runtime_error(path_ + ": fdatasync of the journal failed: " + std::strerror(errno));
}

JournalContents read_journal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the journal");
  JournalContents out;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    const bool complete = !in.eof();  // the last line of a torn file has no newline
    if (line.empty()) continue;      // the separator written after a torn line
    const auto space = line.find(' ');
    const bool valid = complete && space == 8 && crc_hex(line.substr(9)) == line.substr(0, 8);
    if (!valid) {
      out.torn = true;
      continue;  // a torn line; lines after it (appended by a later run) are still good
    }
    const std::string json = line.substr(9);
    if (first) {
      first = false;
      const auto header = nlohmann::json::parse(json, nullptr, false);
      if (header.is_object() && header.contains("fingerprint") && header["fingerprint"].is_string())
        out.fingerprint = header["fingerprint"].get<std::string>();
      continue;
    }
    try {
      out.rows.push_back(row_from_json(json));
    } catch (const std::invalid_argument&) {
      out.torn = true;
    }
  }
  return out;
}

std::string journal_path(const std::string& output, int rank) { return output + ".journal." + std::to_string(rank); }

std::vector<std::string> journal_files(const std::string& output) {
  const fs::path out(output);
  const fs::path folder = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  const std::string prefix = out.filename().string() + ".journal.";
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size())
      files.push_back((out.parent_path() / name).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace pase
