#pragma once
// The results of a sweep: one row per point, and what identifies the sweep they belong to.

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pase/cluster/cluster.hpp"

namespace pase {

// A parameter column of a model that has no such parameter.
inline constexpr std::int64_t missing_param = std::numeric_limits<std::int64_t>::min();

// A point's device memory (README.md, "Device memory"), as `pase search` reports it; every number NaN
// and every flag false when the point has no capacity (a paper-model preset without
// search.memory_per_device). Status "does_not_fit": no strategy fits; then memory_per_device_bytes
// is the smallest footprint of any strategy.
struct SweepRowMemory {
  double capacity_bytes = std::numeric_limits<double>::quiet_NaN();           // a device's memory
  double memory_per_device_bytes = std::numeric_limits<double>::quiet_NaN();  // the recommended strategy's peak
  bool unconstrained_fits = false;  // the unconstrained optimum fits: no constraint was needed
  double unconstrained_cost = std::numeric_limits<double>::quiet_NaN();  // its cost (FLOP or seconds)
  double lower_bound = std::numeric_limits<double>::quiet_NaN();  // no strategy that fits costs less
  // The capacity search's proven gap: (its strategy's cost - lower_bound) / its cost; 0 when the
  // unconstrained optimum fits. (total_cost may be data parallelism's, which the hardware model can
  // prefer for its step time: the bound is on the search's cost, not on that.)
  double relative_gap = std::numeric_limits<double>::quiet_NaN();
  std::int64_t dp_solves = 0;                                     // DPs of the capacity search
  bool data_parallel_fits = false;
  double data_parallel_bytes = std::numeric_limits<double>::quiet_NaN();
  bool fsdp_fits = false;
  double fsdp_bytes = std::numeric_limits<double>::quiet_NaN();
  double fsdp_step_time_s = std::numeric_limits<double>::quiet_NaN();
  double speedup_over_best_baseline = std::numeric_limits<double>::quiet_NaN();  // NaN: no baseline fits
  double seconds = std::numeric_limits<double>::quiet_NaN();  // the capacity search beyond the unconstrained one

  bool checked() const { return !std::isnan(capacity_bytes); }
};

// A point's pipeline (search.stages: auto; README.md, "Pipeline stages in the search"), as `pase
// search --stages auto` reports it, and the Megatron-LM rule of thumb's step (pase/stages/megatron.hpp)
// where the point has one. stages 0: no pipeline (a plain search); megatron_setup empty: no rule
// (not a transformer, or no device capacity to apply it to).
struct SweepRowPipeline {
  std::int64_t stages = 0;
  std::int64_t stage_devices = 0;    // devices of one replica of a stage (every stage the same)
  std::int64_t replicas = 0;         // data-parallel copies of the whole pipeline
  std::int64_t microbatches = 0;     // through each replica, a step
  std::int64_t microbatch_size = 0;  // samples a micro-batch
  double bubble_fraction = std::numeric_limits<double>::quiet_NaN();  // (S - 1) / m of the ideal time
  std::string recompute;             // none, selective or full
  bool sequence_parallel = false;
  // JSON list, one object per stage: first and last (layer names), layers, devices, microbatch_time_s,
  // memory_bytes_per_device, strategy (search or megatron).
  std::string stage_table;
  std::string megatron_setup;        // "tp=8,pp=8,dp=1,microbatch=1,..."
  bool megatron_fits = false;
  double megatron_step_time_s = std::numeric_limits<double>::quiet_NaN();
  double megatron_bytes = std::numeric_limits<double>::quiet_NaN();  // its peak a device

  bool present() const { return stages > 0; }
};

struct SweepRow {
  std::uint64_t point = 0;
  std::string model;                 // the model's label in the spec
  std::int64_t procs = 0;
  Cluster speeds{0, 0};              // the paper model's device: one column per cluster_fields() entry
  std::string cluster;               // preset name, or empty
  std::string cost_model = "paper";  // "paper" or "hardware" (a pase-cluster on the cluster axis)
  std::vector<std::int64_t> params;  // one per ResultsMeta::param_columns (missing_param when absent)
  std::string status = "ok";         // "ok", "memory_limit" or "error"
  std::string message;               // why, when not ok
  double total_cost = std::numeric_limits<double>::quiet_NaN();
  double step_time_s = std::numeric_limits<double>::quiet_NaN();
  double data_parallel_cost = std::numeric_limits<double>::quiet_NaN();
  double data_parallel_step_time_s = std::numeric_limits<double>::quiet_NaN();
  double speedup_over_data_parallel = std::numeric_limits<double>::quiet_NaN();
  double search_seconds = 0;   // ordering and planning (unless shared), DP and back-substitution
  double build_seconds = 0;    // reading the model (unless shared) and building the cost tables
  std::uint64_t dp_cells = 0;  // DP work
  std::uint64_t peak_bytes = 0;
  bool plan_shared = false;    // the ordering and plan came from an earlier point of the same structure
  int rank = 0;                // the MPI rank that computed it
  std::string strategy;        // JSON object: layer name -> chosen configuration (splits per dimension)
  SweepRowMemory memory;       // the devices' memory, when the point's cluster gives a capacity
  SweepRowPipeline pipeline;   // search.stages: auto; the Megatron-LM rule's step

  bool ok() const { return status == "ok"; }
};

struct ResultsMeta {
  std::string fingerprint;  // of the spec and model files (SweepSpec::fingerprint)
  std::string spec_name;
  std::string spec_file;
  std::string spec_text;
  std::uint64_t point_count = 0;  // points in the whole sweep
  std::vector<std::string> axis_names;
  std::vector<std::string> param_columns;
};

struct ResultsTable {
  ResultsMeta meta;
  std::vector<SweepRow> rows;  // ascending point index, each point at most once
};

// Rows by point. A finished ("ok") row is never replaced by a failed one. A finished row of the
// (checksummed) results file is never replaced at all; between journal rows the later one wins.
class RowSet {
 public:
  enum class Added { new_point, replaced, kept, conflict, replaced_conflict };
  // `conflict` and `replaced_conflict`: the point was finished with other results (costs, strategy,
  // status) than `row`; the first kept its row, the second took `row`. Either way the caller warns.
  // `from_results_file`: the row comes from the results file, not a journal.
  Added add(SweepRow row, bool from_results_file = false);
  bool finished(std::uint64_t point) const;
  std::size_t size() const { return rows_.size(); }
  std::vector<SweepRow> rows() const;  // ascending point index

 private:
  std::map<std::uint64_t, SweepRow> rows_;
  std::set<std::uint64_t> from_results_file_;
};

// Whether two rows hold the same results: status, message, costs, step times, speedup, DP work, peak
// memory, strategy, device memory and pipeline, bit for bit (timings, rank and plan sharing may differ between
// two runs).
bool same_results(const SweepRow& a, const SweepRow& b);

// A 64-bit checksum (io/hash.hpp) of every field of a row, each double by its bits: the per-row
// integrity check of the results file. Rows of files of format 2 (before the device memory) were
// summed without `memory`, of format 3 (before pipelines) without `pipeline`.
std::uint64_t row_checksum(const SweepRow& row, bool with_memory = true, bool with_pipeline = true);

// One row as one line of JSON (no newline) and back; doubles round-trip exactly, NaN as null.
std::string row_to_json(const SweepRow& row);
// Throws std::invalid_argument when the text is not a row.
SweepRow row_from_json(const std::string& text);

// Throws std::invalid_argument naming both files when `theirs` belongs to another sweep.
void check_same_sweep(const ResultsMeta& ours, const std::string& our_file, const ResultsMeta& theirs,
                      const std::string& their_file);

}  // namespace pase
