#pragma once
// The results table as CSV for pandas and spreadsheets: one column per axis as named in the spec
// (always model, procs, flops, bw and batch), then the results. Numbers are written in the shortest
// form that reads back exactly; NaN and absent parameters are empty cells.

#include <iosfwd>
#include <string>
#include <vector>

#include "pase/sweep/results_table.hpp"

namespace pase {

// The CSV header's column names for `meta` (without the strategy column unless asked).
std::vector<std::string> csv_columns(const ResultsMeta& meta, bool strategies);

void write_csv(std::ostream& out, const ResultsTable& table, bool strategies);

// Shortest exact decimal text of a double ("" for NaN).
std::string exact_number(double x);

}  // namespace pase
