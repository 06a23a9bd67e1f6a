#include "pase/sweep/csv_export.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>

#include "pase/cluster/cluster.hpp"

namespace pase {

namespace {

bool has_cluster(const ResultsMeta& meta) {
  return std::find(meta.axis_names.begin(), meta.axis_names.end(), "cluster") != meta.axis_names.end();
}

std::string quoted(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string exact_number(double x) {
  if (std::isnan(x)) return "";
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, x);
  return std::string(text, result.ptr);
}

std::vector<std::string> csv_columns(const ResultsMeta& meta, bool strategies) {
  std::vector<std::string> c = {"point", "model", "procs"};
  for (const ClusterField& field : cluster_fields()) c.push_back(field.column);
  if (has_cluster(meta)) c.push_back("cluster");
  for (const auto& p : meta.param_columns) c.push_back(p);
  for (const char* name : {"status", "total_cost", "step_time_s", "data_parallel_cost", "data_parallel_step_time_s",
                           "speedup_over_data_parallel", "search_seconds", "build_seconds", "dp_cells", "peak_bytes",
                           "plan_shared", "rank", "message"})
    c.push_back(name);
  if (strategies) c.push_back("strategy");
  return c;
}

namespace {

const char* const memory_columns[] = {"capacity_bytes", "memory_per_device_bytes", "fits", "unconstrained_fits",
                                      "unconstrained_cost", "capacity_lower_bound", "capacity_relative_gap",
                                      "capacity_dp_solves", "capacity_seconds", "data_parallel_fits",
                                      "data_parallel_memory_bytes", "fsdp_fits", "fsdp_memory_bytes",
                                      "fsdp_step_time_s", "speedup_over_best_baseline"};

// A flag of a row whose device memory was checked; empty when it was not.
std::string flag(const SweepRow& r, bool value) { return r.memory.checked() ? (value ? "1" : "0") : ""; }

void write_memory(std::ostream& out, const SweepRow& r) {
  const SweepRowMemory& m = r.memory;
  const bool fits = m.checked() && m.memory_per_device_bytes <= m.capacity_bytes;
  out << "," << exact_number(m.capacity_bytes) << "," << exact_number(m.memory_per_device_bytes) << ","
      << flag(r, fits) << "," << (r.pipeline.present() ? "" : flag(r, m.unconstrained_fits)) << ","
      << exact_number(m.unconstrained_cost) << "," << exact_number(m.lower_bound) << "," << exact_number(m.relative_gap)
      << "," << (m.checked() && !r.pipeline.present() ? std::to_string(m.dp_solves) : "") << "," << exact_number(m.seconds) << ","
      << flag(r, m.data_parallel_fits) << "," << exact_number(m.data_parallel_bytes) << ","
      << (std::isnan(m.fsdp_bytes) ? "" : flag(r, m.fsdp_fits))
      << "," << exact_number(m.fsdp_bytes) << "," << exact_number(m.fsdp_step_time_s) << ","
      << exact_number(m.speedup_over_best_baseline);
}

// A sweep of the stage search (search.stages: auto), or of points with the Megatron-LM rule's step.
const char* const pipeline_columns[] = {"stages",          "stage_devices",   "replicas",
                                        "microbatches",    "microbatch_size", "bubble_fraction",
                                        "recompute",       "sequence_parallel", "megatron_setup",
                                        "megatron_fits",   "megatron_step_time_s", "megatron_memory_bytes"};

void write_pipeline(std::ostream& out, const SweepRow& r) {
  const SweepRowPipeline& p = r.pipeline;
  auto count = [&](std::int64_t v) { return p.present() ? std::to_string(v) : std::string(); };
  const bool rule = !p.megatron_setup.empty();
  out << "," << count(p.stages) << "," << count(p.stage_devices) << "," << count(p.replicas) << ","
      << count(p.microbatches) << "," << count(p.microbatch_size) << "," << exact_number(p.bubble_fraction) << ","
      << p.recompute << "," << (p.present() ? (p.sequence_parallel ? "1" : "0") : "") << "," << quoted(p.megatron_setup)
      << "," << (rule ? (p.megatron_fits ? "1" : "0") : "") << "," << exact_number(p.megatron_step_time_s) << ","
      << exact_number(p.megatron_bytes);
}

}  // namespace

void write_csv(std::ostream& out, const ResultsTable& table, bool strategies, const TrainingColumns* training) {
  auto columns = csv_columns(table.meta, strategies);
  // A sweep whose points had a device capacity has the device memory's columns, before `message`.
  const bool memory = std::any_of(table.rows.begin(), table.rows.end(),
                                  [](const SweepRow& r) { return r.memory.checked(); });
  if (memory) columns.insert(std::find(columns.begin(), columns.end(), "message"), std::begin(memory_columns),
                             std::end(memory_columns));
  const bool pipeline = std::any_of(table.rows.begin(), table.rows.end(), [](const SweepRow& r) {
    return r.pipeline.present() || !r.pipeline.megatron_setup.empty();
  });
  if (pipeline) columns.insert(std::find(columns.begin(), columns.end(), "message"), std::begin(pipeline_columns),
                               std::end(pipeline_columns));
  if (strategies && pipeline) columns.push_back("stage_table");
  if (training)
    for (const char* name : {"training_steps", "train_seconds", "train_device_hours", "train_cost",
                             "data_parallel_train_seconds", "data_parallel_train_cost", "train_cost_saving"})
      columns.push_back(name);
  auto param = [&](const SweepRow& r, const std::string& name) -> std::int64_t {
    for (std::size_t c = 0; c < table.meta.param_columns.size(); ++c)
      if (table.meta.param_columns[c] == name && r.params[c] != missing_param) return r.params[c];
    return -1;
  };
  // A sweep with pase-cluster files on its cluster axis says which model priced each row.
  const bool hardware = std::any_of(table.rows.begin(), table.rows.end(),
                                    [](const SweepRow& r) { return r.cost_model == "hardware"; });
  if (hardware)
    columns.insert(std::find(columns.begin(), columns.end(), "cluster") + 1, "cost_model");
  for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << quoted(columns[i]);
  out << "\n";
  const bool cluster = has_cluster(table.meta);
  for (const auto& r : table.rows) {
    out << r.point << "," << quoted(r.model) << "," << r.procs;
    for (const ClusterField& field : cluster_fields()) out << "," << exact_number(r.speeds.*field.value);
    if (cluster) out << "," << quoted(r.cluster);
    if (hardware) out << "," << r.cost_model;
    for (const auto v : r.params) {
      out << ",";
      if (v != missing_param) out << v;
    }
    out << "," << r.status << "," << exact_number(r.total_cost) << "," << exact_number(r.step_time_s) << ","
        << exact_number(r.data_parallel_cost) << "," << exact_number(r.data_parallel_step_time_s) << ","
        << exact_number(r.speedup_over_data_parallel) << "," << exact_number(r.search_seconds) << ","
        << exact_number(r.build_seconds) << "," << r.dp_cells << "," << r.peak_bytes << "," << (r.plan_shared ? 1 : 0)
        << "," << r.rank;
    if (memory) write_memory(out, r);
    if (pipeline) write_pipeline(out, r);
    out << "," << quoted(r.message);
    if (strategies) out << "," << quoted(r.strategy);
    if (strategies && pipeline) out << "," << quoted(r.pipeline.stage_table);
    if (training) {
      if (r.ok() && std::isfinite(r.step_time_s) && std::isfinite(r.data_parallel_step_time_s)) {
        const double steps = training_steps(training->amount, param(r, "batch"), param(r, "seq"));
        const auto price = training->prices.of(r.cluster);
        const TrainingCost found = training_cost(steps, r.step_time_s, r.procs, price);
        const TrainingCost dp = training_cost(steps, r.data_parallel_step_time_s, r.procs, price);
        out << "," << exact_number(steps) << "," << exact_number(found.seconds) << "," << exact_number(found.device_hours)
            << "," << exact_number(found.cost) << "," << exact_number(dp.seconds) << "," << exact_number(dp.cost) << ","
            << exact_number(dp.cost - found.cost);
      } else {
        out << ",,,,,,,";
      }
    }
    out << "\n";
  }
}

}  // namespace pase
