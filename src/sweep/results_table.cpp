#include "pase/sweep/results_table.hpp"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "pase/io/hash.hpp"
#include "pase/json_depth.hpp"

namespace pase {

RowSet::Added RowSet::add(SweepRow row, bool from_results_file) {
  const std::uint64_t point = row.point;
  const auto it = rows_.find(point);
  if (it == rows_.end()) {
    rows_.emplace(point, std::move(row));
    if (from_results_file) from_results_file_.insert(point);
    return Added::new_point;
  }
  const bool conflict = it->second.ok() && row.ok() && !same_results(it->second, row);
  if ((it->second.ok() && !row.ok()) || (it->second.ok() && from_results_file_.count(point)))
    return conflict ? Added::conflict : Added::kept;
  it->second = std::move(row);
  if (from_results_file) from_results_file_.insert(point);
  return conflict ? Added::replaced_conflict : Added::replaced;
}

bool RowSet::finished(std::uint64_t point) const {
  const auto it = rows_.find(point);
  return it != rows_.end() && it->second.ok();
}

std::vector<SweepRow> RowSet::rows() const {
  std::vector<SweepRow> out;
  out.reserve(rows_.size());
  for (const auto& [point, row] : rows_) out.push_back(row);
  return out;
}

namespace {

std::uint64_t bits(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// The doubles of a row's device memory, in the order of the checksum (the search's time excluded).
std::vector<double> memory_numbers(const SweepRowMemory& m) {
  return {m.capacity_bytes,      m.memory_per_device_bytes, m.unconstrained_cost,
          m.lower_bound,         m.relative_gap,            m.data_parallel_bytes,
          m.fsdp_bytes,          m.fsdp_step_time_s,        m.speedup_over_best_baseline};
}

bool same_memory(const SweepRowMemory& a, const SweepRowMemory& b) {
  const auto x = memory_numbers(a), y = memory_numbers(b);
  for (std::size_t i = 0; i < x.size(); ++i)
    if (bits(x[i]) != bits(y[i])) return false;
  return a.unconstrained_fits == b.unconstrained_fits && a.dp_solves == b.dp_solves &&
         a.data_parallel_fits == b.data_parallel_fits && a.fsdp_fits == b.fsdp_fits;
}

std::vector<double> pipeline_numbers(const SweepRowPipeline& p) {
  return {static_cast<double>(p.stages),       static_cast<double>(p.stage_devices), static_cast<double>(p.replicas),
          static_cast<double>(p.microbatches), static_cast<double>(p.microbatch_size), p.bubble_fraction,
          p.megatron_step_time_s,              p.megatron_bytes};
}

bool same_pipeline(const SweepRowPipeline& a, const SweepRowPipeline& b) {
  const auto x = pipeline_numbers(a), y = pipeline_numbers(b);
  for (std::size_t i = 0; i < x.size(); ++i)
    if (bits(x[i]) != bits(y[i])) return false;
  return a.recompute == b.recompute && a.sequence_parallel == b.sequence_parallel && a.stage_table == b.stage_table &&
         a.megatron_setup == b.megatron_setup && a.megatron_fits == b.megatron_fits;
}

}  // namespace

bool same_results(const SweepRow& a, const SweepRow& b) {
  return a.status == b.status && a.message == b.message && bits(a.total_cost) == bits(b.total_cost) &&
         bits(a.step_time_s) == bits(b.step_time_s) && bits(a.data_parallel_cost) == bits(b.data_parallel_cost) &&
         bits(a.data_parallel_step_time_s) == bits(b.data_parallel_step_time_s) &&
         bits(a.speedup_over_data_parallel) == bits(b.speedup_over_data_parallel) && a.dp_cells == b.dp_cells &&
         a.peak_bytes == b.peak_bytes && a.strategy == b.strategy && same_memory(a.memory, b.memory) &&
         same_pipeline(a.pipeline, b.pipeline);
}

std::uint64_t row_checksum(const SweepRow& r, bool with_memory, bool with_pipeline) {
  Fingerprint f;
  f.add_word(r.point);
  f.add(r.model);
  f.add_word(static_cast<std::uint64_t>(r.procs));
  for (const ClusterField& field : cluster_fields()) f.add_word(bits(r.speeds.*field.value));
  f.add(r.cluster);
  f.add(r.cost_model);
  f.add_word(r.params.size());
  for (const auto v : r.params) f.add_word(static_cast<std::uint64_t>(v));
  f.add(r.status);
  f.add(r.message);
  for (const double x : {r.total_cost, r.step_time_s, r.data_parallel_cost, r.data_parallel_step_time_s,
                         r.speedup_over_data_parallel, r.search_seconds, r.build_seconds})
    f.add_word(bits(x));
  f.add_word(r.dp_cells);
  f.add_word(r.peak_bytes);
  f.add_word(r.plan_shared ? 1 : 0);
  f.add_word(static_cast<std::uint64_t>(static_cast<std::int64_t>(r.rank)));
  f.add(r.strategy);
  if (with_memory) {
    const SweepRowMemory& m = r.memory;
    for (const double x : memory_numbers(m)) f.add_word(bits(x));
    f.add_word(bits(m.seconds));
    f.add_word(static_cast<std::uint64_t>(m.dp_solves));
    f.add_word((m.unconstrained_fits ? 1u : 0u) | (m.data_parallel_fits ? 2u : 0u) | (m.fsdp_fits ? 4u : 0u));
  }
  if (with_pipeline) {
    const SweepRowPipeline& p = r.pipeline;
    for (const double x : pipeline_numbers(p)) f.add_word(bits(x));
    for (const std::string* s : {&p.recompute, &p.stage_table, &p.megatron_setup}) f.add(*s);
    f.add_word((p.sequence_parallel ? 1u : 0u) | (p.megatron_fits ? 2u : 0u));
  }
  return f.value();
}

namespace {

using Json = nlohmann::json;

double number(const Json& doc, const char* key) {
  const Json& v = doc.at(key);
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

}  // namespace

std::string row_to_json(const SweepRow& r) {
  Json doc = {
      {"point", r.point},
      {"model", r.model},
      {"procs", r.procs},
      {"cluster", r.cluster},
      {"cost_model", r.cost_model},
      {"params", r.params},
      {"status", r.status},
      {"message", r.message},
      {"total_cost", r.total_cost},
      {"step_time_s", r.step_time_s},
      {"data_parallel_cost", r.data_parallel_cost},
      {"data_parallel_step_time_s", r.data_parallel_step_time_s},
      {"speedup", r.speedup_over_data_parallel},
      {"search_seconds", r.search_seconds},
      {"build_seconds", r.build_seconds},
      {"dp_cells", r.dp_cells},
      {"peak_bytes", r.peak_bytes},
      {"plan_shared", r.plan_shared},
      {"rank", r.rank},
      {"strategy", r.strategy},
  };
  for (const ClusterField& field : cluster_fields()) doc[field.column] = r.speeds.*field.value;
  if (r.memory.checked()) {
    const SweepRowMemory& m = r.memory;
    doc["memory"] = {
        {"capacity_bytes", m.capacity_bytes},
        {"per_device_bytes", m.memory_per_device_bytes},
        {"unconstrained_fits", m.unconstrained_fits},
        {"unconstrained_cost", m.unconstrained_cost},
        {"lower_bound", m.lower_bound},
        {"relative_gap", m.relative_gap},
        {"dp_solves", m.dp_solves},
        {"data_parallel_fits", m.data_parallel_fits},
        {"data_parallel_bytes", m.data_parallel_bytes},
        {"fsdp_fits", m.fsdp_fits},
        {"fsdp_bytes", m.fsdp_bytes},
        {"fsdp_step_time_s", m.fsdp_step_time_s},
        {"speedup_over_best_baseline", m.speedup_over_best_baseline},
        {"seconds", m.seconds},
    };
  }
  const SweepRowPipeline& p = r.pipeline;
  if (p.present() || !p.megatron_setup.empty()) {
    doc["pipeline"] = {
        {"stages", p.stages},
        {"stage_devices", p.stage_devices},
        {"replicas", p.replicas},
        {"microbatches", p.microbatches},
        {"microbatch_size", p.microbatch_size},
        {"bubble_fraction", p.bubble_fraction},
        {"recompute", p.recompute},
        {"sequence_parallel", p.sequence_parallel},
        {"stage_table", p.stage_table},
        {"megatron_setup", p.megatron_setup},
        {"megatron_fits", p.megatron_fits},
        {"megatron_step_time_s", p.megatron_step_time_s},
        {"megatron_bytes", p.megatron_bytes},
    };
  }
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

SweepRow row_from_json(const std::string& text) {
  try {
    check_json_depth(text, "a sweep row");
    const Json doc = Json::parse(text);
    SweepRow r;
    r.point = doc.at("point").get<std::uint64_t>();
    r.model = doc.at("model").get<std::string>();
    r.procs = doc.at("procs").get<std::int64_t>();
    for (const ClusterField& field : cluster_fields()) r.speeds.*field.value = number(doc, field.column);
    r.cluster = doc.at("cluster").get<std::string>();
    // Journals written before the hardware model have no cost_model: they are all paper-model rows.
    r.cost_model = doc.contains("cost_model") ? doc.at("cost_model").get<std::string>() : "paper";
    r.params = doc.at("params").get<std::vector<std::int64_t>>();
    r.status = doc.at("status").get<std::string>();
    r.message = doc.at("message").get<std::string>();
    r.total_cost = number(doc, "total_cost");
    r.step_time_s = number(doc, "step_time_s");
    r.data_parallel_cost = number(doc, "data_parallel_cost");
    r.data_parallel_step_time_s = number(doc, "data_parallel_step_time_s");
    r.speedup_over_data_parallel = number(doc, "speedup");
    r.search_seconds = number(doc, "search_seconds");
    r.build_seconds = number(doc, "build_seconds");
    r.dp_cells = doc.at("dp_cells").get<std::uint64_t>();
    r.peak_bytes = doc.at("peak_bytes").get<std::uint64_t>();
    r.plan_shared = doc.at("plan_shared").get<bool>();
    r.rank = doc.at("rank").get<int>();
    r.strategy = doc.at("strategy").get<std::string>();
    // Rows without device memory (unchecked points, and journals written before it) keep the defaults.
    if (doc.contains("memory")) {
      const Json& j = doc.at("memory");
      SweepRowMemory& m = r.memory;
      m.capacity_bytes = number(j, "capacity_bytes");
      if (!m.checked()) throw std::invalid_argument("not a sweep row: memory.capacity_bytes is null");
      m.memory_per_device_bytes = number(j, "per_device_bytes");
      m.unconstrained_fits = j.at("unconstrained_fits").get<bool>();
      m.unconstrained_cost = number(j, "unconstrained_cost");
      m.lower_bound = number(j, "lower_bound");
      m.relative_gap = number(j, "relative_gap");
      m.dp_solves = j.at("dp_solves").get<std::int64_t>();
      m.data_parallel_fits = j.at("data_parallel_fits").get<bool>();
      m.data_parallel_bytes = number(j, "data_parallel_bytes");
      m.fsdp_fits = j.at("fsdp_fits").get<bool>();
      m.fsdp_bytes = number(j, "fsdp_bytes");
      m.fsdp_step_time_s = number(j, "fsdp_step_time_s");
      m.speedup_over_best_baseline = number(j, "speedup_over_best_baseline");
      m.seconds = number(j, "seconds");
    }
    // Rows without a pipeline or Megatron-LM rule (and journals written before them) keep the defaults.
    if (doc.contains("pipeline")) {
      const Json& j = doc.at("pipeline");
      SweepRowPipeline& p = r.pipeline;
      p.stages = j.at("stages").get<std::int64_t>();
      p.stage_devices = j.at("stage_devices").get<std::int64_t>();
      p.replicas = j.at("replicas").get<std::int64_t>();
      p.microbatches = j.at("microbatches").get<std::int64_t>();
      p.microbatch_size = j.at("microbatch_size").get<std::int64_t>();
      p.bubble_fraction = number(j, "bubble_fraction");
      p.recompute = j.at("recompute").get<std::string>();
      p.sequence_parallel = j.at("sequence_parallel").get<bool>();
      p.stage_table = j.at("stage_table").get<std::string>();
      p.megatron_setup = j.at("megatron_setup").get<std::string>();
      p.megatron_fits = j.at("megatron_fits").get<bool>();
      p.megatron_step_time_s = number(j, "megatron_step_time_s");
      p.megatron_bytes = number(j, "megatron_bytes");
    }
    return r;
  } catch (const Json::exception& e) {
    throw std::invalid_argument(std::string("not a sweep row: ") + e.what());
  }
}

void check_same_sweep(const ResultsMeta& ours, const std::string& our_file, const ResultsMeta& theirs,
                      const std::string& their_file) {
  if (ours.fingerprint == theirs.fingerprint) return;
  throw std::invalid_argument(their_file + ": holds results of another sweep (spec '" + theirs.spec_file + "', " +
                              theirs.fingerprint + ") than " + our_file + " (spec '" + ours.spec_file + "', " +
                              ours.fingerprint +
                              "); the spec or a model file changed: write to a new --output, or delete the old file");
}

}  // namespace pase
