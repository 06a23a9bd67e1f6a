#pragma once
// Fits a cluster's efficiency curves and tier latency/efficiency to measured times
// (src/cluster/README.md, "Calibration").

#include <string>
#include <vector>

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/cluster/measurements.hpp"

namespace pase::cluster {

struct FitError {
  std::string kind;       // gemm, convolution, memory_bound, all_reduce, ...
  int count = 0;
  double rms_relative = 0;  // sqrt(mean((predicted / measured - 1)^2))
  double max_relative = 0;  // max |predicted / measured - 1|
};

struct Calibration {
  HardwareCluster cluster;         // the base with the fitted numbers
  std::vector<FitError> errors;    // of `cluster` against every measurement used
  std::vector<std::string> notes;  // what was kept from the base or raised, one line each
};

// The hardware model's time for one measurement on `cluster` (compute entries: compute only).
double predicted_s(const HardwareCluster& cluster, const Measurements& file, const Measurement& m);

// Throws std::invalid_argument naming the file and entry for a precision the base has no peak for,
// a compute rate above the base's datasheet peak, or a tier measured at fewer than two sizes.
Calibration calibrate(const Measurements& measurements, const HardwareCluster& base, const std::string& base_name);

// A pase-cluster v1 document for `cluster` (parse_cluster reads it back to the same values).
std::string cluster_file_text(const HardwareCluster& cluster, const std::string& device_name,
                              const std::vector<std::pair<std::string, std::string>>& sources);

}  // namespace pase::cluster
