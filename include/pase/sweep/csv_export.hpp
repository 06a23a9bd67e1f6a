#pragma once
// The results table as CSV for pandas and spreadsheets: one column per axis as named in the spec
// (always model, procs, flops, bw and batch), then the results. Numbers are written in the shortest
// form that reads back exactly; NaN and absent parameters are empty cells.

#include <iosfwd>
#include <string>
#include <vector>

#include "pase/report/training_cost.hpp"
#include "pase/sweep/results_table.hpp"

namespace pase {

// The CSV header's column names for `meta` (without the strategy column unless asked).
std::vector<std::string> csv_columns(const ResultsMeta& meta, bool strategies);

// With a training amount, the CSV gains training_steps, train_seconds, train_device_hours, train_cost,
// data_parallel_train_seconds, data_parallel_train_cost and train_cost_saving (cost columns empty
// for rows without a price), as the HTML report computes them.
struct TrainingColumns {
  TrainingAmount amount;
  DevicePrices prices;
};

void write_csv(std::ostream& out, const ResultsTable& table, bool strategies, const TrainingColumns* training = nullptr);

// Shortest exact decimal text of a double ("" for NaN).
std::string exact_number(double x);

}  // namespace pase
