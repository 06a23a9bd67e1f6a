#include "pase/cluster/cluster.hpp"

#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "pase/limits.hpp"

namespace pase {

std::span<const ClusterField> cluster_fields() {
  static constexpr std::array<ClusterField, 2> fields = {{
      {"flops", "flops_tflops", &Cluster::flops_tflops},
      {"bw", "bw_gbytes", &Cluster::bw_gbytes},
  }};
  return fields;
}

void validate(const Cluster& cluster) {
  auto check = [](double v, const char* option, const char* unit) {
    if (!(v >= limits::kMinDeviceSpeed && v <= limits::kMaxDeviceSpeed)) {
      std::ostringstream text;
      text << option << " " << v << ": must be a number of " << unit << " from " << limits::kMinDeviceSpeed << " to "
           << limits::kMaxDeviceSpeed;
      throw std::invalid_argument(text.str());
    }
  };
  check(cluster.flops_tflops, "--flops", "TFLOP/s");
  check(cluster.bw_gbytes, "--bw", "GB/s");
}

}  // namespace pase
