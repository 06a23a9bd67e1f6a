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

}  // namespace

bool same_results(const SweepRow& a, const SweepRow& b) {
  return a.status == b.status && a.message == b.message && bits(a.total_cost) == bits(b.total_cost) &&
         bits(a.step_time_s) == bits(b.step_time_s) && bits(a.data_parallel_cost) == bits(b.data_parallel_cost) &&
         bits(a.data_parallel_step_time_s) == bits(b.data_parallel_step_time_s) &&
         bits(a.speedup_over_data_parallel) == bits(b.speedup_over_data_parallel) && a.dp_cells == b.dp_cells &&
         a.peak_bytes == b.peak_bytes && a.strategy == b.strategy;
}

std::uint64_t row_checksum(const SweepRow& r) {
  Fingerprint f;
  f.add_word(r.point);
  f.add(r.model);
  f.add_word(static_cast<std::uint64_t>(r.procs));
  f.add_word(bits(r.flops_tflops));
  f.add_word(bits(r.bw_gbytes));
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
  const Json doc = {
      {"point", r.point},
      {"model", r.model},
      {"procs", r.procs},
      {"flops", r.flops_tflops},
      {"bw", r.bw_gbytes},
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
    r.flops_tflops = number(doc, "flops");
    r.bw_gbytes = number(doc, "bw");
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
