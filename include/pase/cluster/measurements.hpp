#pragma once
// A pase-measurements v1 file, as src/profiler/pase_profile.py writes it (src/profiler/README.md).

#include <string>
#include <vector>

#include "pase/cluster/hardware_cluster.hpp"

namespace pase::cluster {

// kOverlap: a GEMM loop with an all-reduce running behind it (the compute the collective takes).
enum class MeasuredKind { kGemm, kConvolution, kMemoryBound, kAllReduce, kAllGather, kReduceScatter, kOverlap };
const char* to_string(MeasuredKind kind);

struct Measurement {
  MeasuredKind kind = MeasuredKind::kGemm;
  Precision precision = Precision::kFp32;  // compute and memory-bound entries
  double size = 0;                          // FLOP (gemm, convolution) or bytes
  double median_s = 0;
  bool inter_node = false;                  // collectives and overlap: the group spans nodes
  int group_size = 1;                       // collectives and overlap
  int entry = 0;                            // index in the file's measurements, for messages
  double rows = 0;                          // gemm: the m of a layer of `rows` rows (0: a square GEMM)
  // overlap: the GEMMs alone and the all-reduce alone; median_s is the GEMMs' time with it behind them.
  double compute_alone_s = 0, communication_alone_s = 0;
};

struct Measurements {
  std::string file;
  std::string host, written, torch, device;
  int processes = 1, processes_per_node = 1, nodes = 1;
  std::vector<Measurement> entries;  // skipped entries are left out
  int skipped = 0;
};

// Throws std::invalid_argument with one line "FILE: measurements[i].FIELD: problem" for a missing or
// mistyped field, a non-positive size or time, min > median or median > max, an unknown kind, op,
// tier or precision, or another format or version.
Measurements read_measurements(const std::string& path);
Measurements parse_measurements(const std::string& text, const std::string& file);

}  // namespace pase::cluster
