#pragma once
// The catalogue of named device/cluster presets (jobs/clusters.json): peak FLOP/s of a device at a
// stated precision and its link bandwidth. Used by `pase search --cluster` and the sweep axis `cluster`.

#include <map>
#include <string>

#include "pase/cluster/cluster.hpp"

namespace pase {

struct ClusterPreset {
  std::string name;
  std::string device;     // key of the device in the catalogue
  std::string product;    // the vendor's product name
  std::string precision;  // "fp32" or "fp16"
  std::string link;       // what the bandwidth is
  Cluster cluster;
};

struct ClusterCatalogue {
  std::string file;
  std::map<std::string, ClusterPreset> presets;

  // Throws std::invalid_argument naming the file and listing the known presets.
  const ClusterPreset& find(const std::string& name) const;
};

// Reads a catalogue; throws std::invalid_argument naming the file and field on any error.
ClusterCatalogue load_cluster_catalogue(const std::string& path);

// Where the catalogue is when no file is named: $PASE_CLUSTERS, else ./jobs/clusters.json when it
// exists, else found relative to the executable: <bin>/../share/pase/clusters.json (installed) or
// <bin>/clusters.json (the build folder, where CMake copies jobs/clusters.json).
std::string default_cluster_catalogue_path();

}  // namespace pase
