// libFuzzer target: a pase-cluster v1 file through parse_cluster (the strict reader of
// src/cluster/hardware_cluster.cpp). Bad files end in std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "pase/cluster/hardware_cluster.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)pase::cluster::parse_cluster(std::string(reinterpret_cast<const char*>(data), size), "cluster.json");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
