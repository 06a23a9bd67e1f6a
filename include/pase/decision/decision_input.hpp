#pragma once
// What the decision report is made of: one scenario per search (a `pase search --output` JSON file)
// or per finished sweep row (a results .h5 file), with what that source knows.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pase/sweep/results_table.hpp"

namespace pase::decision {

struct Breakdown {
  double compute_s = 0;
  double communication_s = 0;
  double exposed_communication_s = 0;
};

struct LayerLine {
  std::string name, op, dims, config, placement;
  double time_s = 0;
  double share = 0;                 // of the step's cost
  std::optional<double> memory_bytes;  // JSON `memory_bytes` of the layer, when the memory model gave it
};

// Another strategy the search priced (JSON `baselines[]`): name, step time, whether it fits memory.
struct Baseline {
  std::string name;
  double step_time_s = 0;
  std::optional<bool> fits;
};

// A pipeline-parallel strategy (`pase search --stages auto` JSON `pipeline`, or a sweep row's
// pipeline columns of search.stages: auto).
struct PipelineStage {
  std::string first, last;  // its first and last layer
  std::int64_t layers = 0, devices = 0;
  double microbatch_time_s = 0, memory_bytes_per_device = 0;
  std::string strategy;  // search (the plain search's layers) or megatron (tensor parallel); "" unknown
};

struct Pipeline {
  std::vector<PipelineStage> stages;
  std::int64_t stage_devices = 0, replicas = 1, microbatches = 1, microbatch_size = 0;
  int interleave = 1;
  double bubble_fraction = 0;
  std::optional<double> bubble_s;  // of the step's compute_s, when the source gives it
  std::string recompute;
  bool sequence_parallel = false;
  // The key of each number in the source: stages, stage_devices, replicas, microbatches,
  // microbatch_size, bubble_fraction; stage numbers are stage_prefix + "N.devices" (and
  // microbatch_time_s, memory_bytes_per_device).
  std::map<std::string, std::string> keys;
  std::string stage_prefix;
};

// The Megatron-LM rule of thumb's setup (JSON baselines[] named megatron, or a row's megatron columns).
struct MegatronBaseline {
  std::string setup;
  double step_time_s = 0;
  bool fits = true;
  std::string key;  // of step_time_s in the source
};

struct Scenario {
  std::string source;       // the file, and for a sweep row "point N"
  std::int64_t point = -1;  // sweep row, else -1
  std::string model;
  std::string cluster;      // pase-cluster or preset name; "" when only --flops/--bw were given
  std::string cost_model;   // "paper" or "hardware"
  std::string precision;    // "" when the source does not say
  std::int64_t procs = 0;
  double flops_tflops = 0, bw_gbytes = 0;
  std::map<std::string, std::int64_t> params;
  double step_time_s = 0;
  double data_parallel_step_time_s = 0;
  double speedup = 0;  // over data parallelism (its step time over the found one, even when it does not fit)
  bool data_parallel_fits = true;  // false when the JSON says data parallelism exceeds the devices' memory
  std::optional<Breakdown> breakdown, data_parallel_breakdown;
  std::int64_t devices_used = -1, data_parallel_devices_used = -1;
  bool data_parallel_chosen = false;
  std::vector<LayerLine> layers;
  std::string strategy;  // sweep: layer name -> configuration, JSON
  // JSON `memory` (per_device_bytes, capacity_bytes, PART_bytes for its breakdown) and the same of the
  // data_parallel baseline, when present.
  std::map<std::string, double> memory, data_parallel_memory;
  std::vector<Baseline> baselines;
  std::optional<Pipeline> pipeline;
  std::optional<MegatronBaseline> megatron;

  std::int64_t param(const std::string& name) const;  // -1 when absent
  std::string cluster_text() const;                   // the cluster name, or "10 TFLOP/s, 16 GB/s"
};

struct DecisionInput {
  bool sweep = false;
  std::string title;                // spec name, or the model of a single search
  std::vector<std::string> files;
  std::vector<std::string> varying;  // sweep: parameter columns whose value differs between rows of a model
  std::size_t rows_total = 0, rows_failed = 0;
  std::vector<Scenario> scenarios;  // the finished ones
};

// Whether the file starts as a results file of `pase sweep` does (anything else is read as JSON);
// throws std::invalid_argument naming it when it is a folder, FIFO or device.
bool is_results_file(const std::string& path);
// The finished rows of a sweep's results (read from `file`).
DecisionInput from_results(const ResultsTable& table, const std::string& file);
// One results .h5 file, or one or more search JSON files. Throws std::invalid_argument naming the
// file and the field for a file that is neither or lacks a key the report needs.
DecisionInput read_decision_input(const std::vector<std::string>& files);

// The line a scenario belongs to in charts against the device count: model, cluster and the varying
// parameters (never two models or two clusters in one line).
std::string series_name(const DecisionInput& input, const Scenario& s);

}  // namespace pase::decision
