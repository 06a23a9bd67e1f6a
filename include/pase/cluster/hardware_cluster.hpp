#pragma once
// A cluster as the hardware cost model sees it: nodes of identical devices, one link tier inside a
// node and one between nodes. Read from a `pase-cluster` v1 file or a shipped preset (src/cluster/README.md).

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pase::cluster {

enum class Precision { kFp32, kBf16, kFp16 };

double bytes_per_element(Precision precision);
// Throws std::invalid_argument naming the value unless it is fp32, bf16 or fp16.
Precision parse_precision(const std::string& name);

// Fraction of peak an operation reaches as a function of its per-device size: linear in log10(size)
// between the points (size ascending), constant beyond the first and the last.
struct EfficiencyCurve {
  std::vector<std::pair<double, double>> points;  // (size, fraction of peak)
  double at(double size) const;
  bool operator==(const EfficiencyCurve&) const = default;
};

struct Device {
  std::map<Precision, double> peak_flop_per_s;
  double memory_bytes = 0;          // capacity: what the device offers a process
  double memory_reserve_bytes = 0;  // of it, taken whatever the strategy (CUDA context, libraries, NCCL)
  double memory_bytes_per_s = 0;
  EfficiencyCurve gemm;          // size: FLOP per device (measured on square GEMMs)
  // Optional, measured (pase calibrate): GEMM efficiency by FLOP for layers of `rows` rows (a GEMM's
  // per-device m: the tokens or samples of a layer's input), rows ascending. At one FLOP count a
  // layer of few rows and a large weight can run far below a square GEMM (its weight streams
  // through the caches); empty: `gemm` prices every GEMM.
  std::vector<std::pair<double, EfficiencyCurve>> gemm_by_rows;
  EfficiencyCurve convolution;   // size: FLOP per device
  EfficiencyCurve memory_bound;  // size: bytes per device
  // The efficiency of a GEMM of `flop` whose m is `rows` (0: unknown, the square curve): between
  // the measured row counts linear in log10(rows); the square curve counts as the row count of the
  // square GEMM of that FLOP, cbrt(flop / 2), above the largest measured one; constant beyond the ends.
  double gemm_efficiency(double flop, double rows) const;
};

struct Tier {
  double bytes_per_s = 0;        // per device, one direction, datasheet peak
  double latency_s = 0;          // per message
  double efficiency = 1;         // fraction of the peak a collective achieves
  int devices_sharing_link = 1;  // devices sending through one link at once (a node's network card)
  // Optional, measured (pase_profile.py's overlap entries): the compute time a collective on this
  // tier takes from the device per second of its own time when it runs behind computation (0: a
  // link that costs the device nothing; about 1 or more where the cores that compute also run the
  // collective, as gloo on a CPU does).
  double overlap_compute_loss = 0;
  double achieved_bytes_per_s() const { return bytes_per_s * efficiency / devices_sharing_link; }
};

struct HardwareCluster {
  std::string name;
  int nodes = 1;
  int devices_per_node = 1;
  Device device;
  Tier intra_node;
  Tier inter_node;
  int devices() const { return nodes * devices_per_node; }
};

// Parses a pase-cluster v1 document; `file` names it in errors. Throws std::invalid_argument with one
// line "FILE: FIELD: problem" for an unknown, misspelt or missing field, a non-positive number or an
// unknown precision.
HardwareCluster parse_cluster(const std::string& text, const std::string& file);

// A shipped preset by name, else the file at that path.
HardwareCluster load_cluster(const std::string& name_or_file);

std::vector<std::string> preset_names();
// The preset's pase-cluster v1 text; throws std::invalid_argument for an unknown name.
const std::string& preset_text(const std::string& name);

}  // namespace pase::cluster
