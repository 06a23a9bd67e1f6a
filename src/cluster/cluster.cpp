#include "pase/cluster/cluster.hpp"

#include <array>
#include <cmath>
#include <stdexcept>

namespace pase {

std::span<const ClusterField> cluster_fields() {
  static constexpr std::array<ClusterField, 2> fields = {{
      {"flops", "flops_tflops", &Cluster::flops_tflops},
      {"bw", "bw_gbytes", &Cluster::bw_gbytes},
  }};
  return fields;
}

void validate(const Cluster& cluster) {
  if (!std::isfinite(cluster.flops_tflops) || cluster.flops_tflops <= 0)
    throw std::invalid_argument("--flops must be a positive number of TFLOP/s");
  if (!std::isfinite(cluster.bw_gbytes) || cluster.bw_gbytes <= 0)
    throw std::invalid_argument("--bw must be a positive number of GB/s");
}

}  // namespace pase
