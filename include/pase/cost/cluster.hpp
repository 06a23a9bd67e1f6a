#pragma once
// The device model: peak FLOP/s per device and link bandwidth, and the ratio r between them.

namespace pase {

struct Cluster {
  double flops_tflops = 10.0;  // peak per device, TFLOP/s
  double bw_gbytes = 16.0;     // link bandwidth, GB/s

  // FLOP that a device can do in the time one 8-byte word crosses a link: the r of the paper.
  double flop_per_word() const { return flops_tflops * 1000.0 / (bw_gbytes / 8.0); }
  double peak_flop_per_second() const { return flops_tflops * 1e12; }
};

// Throws std::invalid_argument unless both numbers are finite and positive.
void validate(const Cluster& cluster);

}  // namespace pase
