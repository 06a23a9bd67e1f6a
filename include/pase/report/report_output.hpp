#pragma once
// Writing a search report: a table for people, JSON for scripts.

#include <iosfwd>
#include <string>
#include <vector>

#include "pase/report/search_report.hpp"

namespace pase {

void print_report(std::ostream& out, const SearchReport& report);
// The "baselines" lines: each baseline's memory a device, whether it fits and its step time.
void print_baselines(std::ostream& out, const std::vector<Baseline>& baselines);
// What a search would need, before doing it, with the tables spread over `ranks` ranks.
void print_plan(std::ostream& out, const SearchSettings& settings, const SearchRun& run, int ranks);

// The JSON document of a report (keys documented in README.md).
std::string report_json(const SearchReport& report);
// Writes `text` to `path`; throws std::runtime_error naming the file when it cannot.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace pase
