#pragma once
// The device model: peak FLOP/s per device and link bandwidth, and the ratio r between them. Everything
// that records a cluster (result columns, CSV, JSON, checkpoint fingerprints, sweep rows) goes through
// cluster_fields(), so a new field is added here and in the cost formulas only.

#include <span>

namespace pase {

struct Cluster {
  double flops_tflops = 10.0;  // peak per device, TFLOP/s
  double bw_gbytes = 16.0;     // link bandwidth, GB/s

  // FLOP that a device can do in the time one 8-byte word crosses a link: the r of the paper.
  double flop_per_word() const { return flops_tflops * 1000.0 / (bw_gbytes / 8.0); }
  double peak_flop_per_second() const { return flops_tflops * 1e12; }

  bool operator==(const Cluster&) const = default;
};

// One recorded field of a Cluster.
struct ClusterField {
  const char* column;  // results-table, CSV and sweep-axis column ("flops")
  const char* key;     // JSON output and checkpoint-fingerprint key, with its unit ("flops_tflops")
  double Cluster::*value;
};

// Every field of a Cluster, in the order of the result columns and the fingerprint.
std::span<const ClusterField> cluster_fields();

// Throws std::invalid_argument unless both numbers are finite and positive.
void validate(const Cluster& cluster);

}  // namespace pase
