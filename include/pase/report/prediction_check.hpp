#pragma once
// Measured step times of real training runs against pase's predictions (`pase check-prediction`):
// the CSV of measured steps, the strategy each row names, and the predicted step time.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/report/search_report.hpp"

namespace pase {

// One row of a measured-steps CSV (README.md, "Checking predictions").
struct MeasuredStep {
  std::string file;  // the CSV, for messages
  int line = 0;      // its line in the file (1 = the header)
  std::string model;       // a model file, resolved against the CSV's folder
  std::string cluster;     // a pase-cluster preset, or a file resolved against the CSV's folder
  std::int64_t devices = 0;
  std::string strategy;    // "data_parallel", "search", or a strategy file resolved against the CSV's folder
  double measured_s = 0;   // the measured step time (a median), seconds
  std::string precision = "fp32";
  std::vector<std::string> overrides;  // the `set` column: name=value;name=value
  std::string where() const;           // "FILE: line N"
};

// Reads and checks every row; throws std::invalid_argument naming the file, the line, the field and
// the fix.
std::vector<MeasuredStep> read_measured_steps(const std::string& csv_path);

struct PredictedStep {
  std::string strategy;     // what was priced: data_parallel, search (the found strategy), or the file
  StepBreakdown predicted;  // its step time, compute and communication
  double relative_error = 0;  // (predicted - measured) / measured
};

// The predicted step time of the row's strategy under `settings` (which must price with the hardware
// model). A strategy file is a `pase search --output` result or any JSON whose `layers` list gives every
// layer's `name` and `config` in the model's order. Its errors do not name the row; the caller adds
// row.where().
PredictedStep predict_step(const MeasuredStep& row, const SearchSettings& settings);

}  // namespace pase
