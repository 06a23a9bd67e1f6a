#pragma once
// The HDF5 results file of a sweep (layout in jobs/README.md): root attributes identify the
// sweep, /rows holds one 1-D dataset per column, /rows/params one per model parameter column.
// Files are only ever written whole and published atomically, never modified in place.

#include <string>

#include "pase/sweep/results_table.hpp"

namespace pase {

// Writes PATH.tmp, then atomically replaces PATH with it. Throws std::runtime_error naming the file.
void write_results_file(const std::string& path, const ResultsTable& table);

// Throws std::invalid_argument naming the file when it is not a pase sweep results file.
ResultsTable read_results_file(const std::string& path);

}  // namespace pase
