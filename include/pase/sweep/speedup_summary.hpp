#pragma once
// The speedup over data parallelism against the device count, one series per model (or per
// combination of chosen columns), over the finished rows that pass the filters. Where several rows
// fall on one device count (other axes vary), the series gives their median, minimum and maximum.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "pase/sweep/results_table.hpp"

namespace pase {

struct RowFilter {
  std::string column;
  std::string value;
};

// "bw=16"; throws std::invalid_argument naming --where.
RowFilter parse_filter(const std::string& text);

// The rows that pass every filter, in order; throws std::invalid_argument naming an unknown column.
std::vector<SweepRow> rows_matching(const ResultsTable& table, const std::vector<RowFilter>& filters);

// The series a row belongs to: its values of `series_columns` ("gpt-124m", "gpt-124m cluster=dgx-a100").
// Throws std::invalid_argument naming an unknown column.
std::string series_name(const ResultsMeta& meta, const SweepRow& row, const std::vector<std::string>& series_columns);

struct SpeedupPoint {
  std::int64_t procs = 0;
  std::size_t rows = 0;
  double median = 0, min = 0, max = 0;
};

struct SpeedupSeries {
  std::string name;
  std::vector<SpeedupPoint> points;  // ascending procs
};

// Throws std::invalid_argument naming an unknown column (and the known ones).
std::vector<SpeedupSeries> speedup_series(const ResultsTable& table, const std::vector<RowFilter>& filters,
                                          const std::vector<std::string>& series_columns = {"model"});

void print_speedup_table(std::ostream& out, const std::vector<SpeedupSeries>& series);

}  // namespace pase
