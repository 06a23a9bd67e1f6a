#include "pase/sweep/results_file.hpp"

#include <cstdio>
#include <stdexcept>

#include "pase/io/atomic_replace.hpp"
#include "pase/io/hdf5_file.hpp"

namespace pase {

namespace {

constexpr const char* format_name = "pase-sweep-results";
constexpr std::uint64_t format_version = 1;

template <typename T, typename Get>
std::vector<T> column(const std::vector<SweepRow>& rows, Get get) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(static_cast<T>(get(r)));
  return out;
}

void write_table(h5::File& f, const ResultsTable& t) {
  const ResultsMeta& m = t.meta;
  const auto& rows = t.rows;
  f.write_attribute("format", std::string(format_name));
  f.write_attribute("version", format_version);
  f.write_attribute("fingerprint", m.fingerprint);
  f.write_attribute("spec_name", m.spec_name);
  f.write_attribute("spec_file", m.spec_file);
  f.write_attribute("spec_text", m.spec_text);
  f.write_attribute("point_count", m.point_count);
  f.write("axis_names", m.axis_names);
  f.write("param_columns", m.param_columns);
  f.create_group("rows");
  f.write("rows/point", column<std::uint64_t>(rows, [](const SweepRow& r) { return r.point; }));
  f.write("rows/model", column<std::string>(rows, [](const SweepRow& r) { return r.model; }));
  f.write("rows/procs", column<std::int64_t>(rows, [](const SweepRow& r) { return r.procs; }));
  f.write("rows/flops", column<double>(rows, [](const SweepRow& r) { return r.flops_tflops; }));
  f.write("rows/bw", column<double>(rows, [](const SweepRow& r) { return r.bw_gbytes; }));
  f.write("rows/cluster", column<std::string>(rows, [](const SweepRow& r) { return r.cluster; }));
  f.write("rows/cost_model", column<std::string>(rows, [](const SweepRow& r) { return r.cost_model; }));
  f.create_group("rows/params");
  for (std::size_t c = 0; c < m.param_columns.size(); ++c)
    f.write("rows/params/" + m.param_columns[c], column<std::int64_t>(rows, [&](const SweepRow& r) { return r.params.at(c); }));
  f.write("rows/status", column<std::string>(rows, [](const SweepRow& r) { return r.status; }));
  f.write("rows/message", column<std::string>(rows, [](const SweepRow& r) { return r.message; }));
  f.write("rows/total_cost", column<double>(rows, [](const SweepRow& r) { return r.total_cost; }));
  f.write("rows/step_time_s", column<double>(rows, [](const SweepRow& r) { return r.step_time_s; }));
  f.write("rows/data_parallel_cost", column<double>(rows, [](const SweepRow& r) { return r.data_parallel_cost; }));
  f.write("rows/data_parallel_step_time_s",
          column<double>(rows, [](const SweepRow& r) { return r.data_parallel_step_time_s; }));
  f.write("rows/speedup_over_data_parallel",
          column<double>(rows, [](const SweepRow& r) { return r.speedup_over_data_parallel; }));
  f.write("rows/search_seconds", column<double>(rows, [](const SweepRow& r) { return r.search_seconds; }));
  f.write("rows/build_seconds", column<double>(rows, [](const SweepRow& r) { return r.build_seconds; }));
  f.write("rows/dp_cells", column<std::uint64_t>(rows, [](const SweepRow& r) { return r.dp_cells; }));
  f.write("rows/peak_bytes", column<std::uint64_t>(rows, [](const SweepRow& r) { return r.peak_bytes; }));
  f.write("rows/plan_shared", column<std::int64_t>(rows, [](const SweepRow& r) { return r.plan_shared ? 1 : 0; }));
  f.write("rows/rank", column<std::int64_t>(rows, [](const SweepRow& r) { return r.rank; }));
  f.write("rows/strategy", column<std::string>(rows, [](const SweepRow& r) { return r.strategy; }));
}

template <typename T>
void fill(const std::vector<T>& values, std::vector<SweepRow>& rows, const std::string& file, const std::string& name,
          void (*set)(SweepRow&, const T&)) {
  if (values.size() != rows.size())
    throw std::invalid_argument(file + ": column 'rows/" + name + "' has " + std::to_string(values.size()) +
                                " entries, 'rows/point' has " + std::to_string(rows.size()) + "; the file is damaged");
  for (std::size_t i = 0; i < rows.size(); ++i) set(rows[i], values[i]);
}

ResultsTable read_table(const h5::File& f) {
  const std::string& file = f.path();
  if (!f.exists("@format") || f.read_string_attribute("format") != format_name)
    throw std::invalid_argument(file + ": not a pase sweep results file (no attribute format=\"" +
                                std::string(format_name) + "\"); name a file written by 'pase sweep'");
  if (f.read_u64_attribute("version") != format_version)
    throw std::invalid_argument(file + ": results format version " + std::to_string(f.read_u64_attribute("version")) +
                                " is not the version 1 this pase reads; use the pase that wrote it");
  ResultsTable t;
  ResultsMeta& m = t.meta;
  m.fingerprint = f.read_string_attribute("fingerprint");
  m.spec_name = f.read_string_attribute("spec_name");
  m.spec_file = f.read_string_attribute("spec_file");
  m.spec_text = f.read_string_attribute("spec_text");
  m.point_count = f.read_u64_attribute("point_count");
  m.axis_names = f.read_strings("axis_names");
  m.param_columns = f.read_strings("param_columns");

  const auto points = f.read_u64s("rows/point");
  t.rows.resize(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) t.rows[i].point = points[i];
  auto& rows = t.rows;
  fill<std::string>(f.read_strings("rows/model"), rows, file, "model", [](SweepRow& r, const std::string& v) { r.model = v; });
  fill<std::int64_t>(f.read_int64s("rows/procs"), rows, file, "procs", [](SweepRow& r, const std::int64_t& v) { r.procs = v; });
  fill<double>(f.read_doubles("rows/flops"), rows, file, "flops", [](SweepRow& r, const double& v) { r.flops_tflops = v; });
  fill<double>(f.read_doubles("rows/bw"), rows, file, "bw", [](SweepRow& r, const double& v) { r.bw_gbytes = v; });
  fill<std::string>(f.read_strings("rows/cluster"), rows, file, "cluster", [](SweepRow& r, const std::string& v) { r.cluster = v; });
  // Files written before the hardware model have no cost_model column: all their rows are paper-model rows.
  if (f.exists("rows/cost_model"))
    fill<std::string>(f.read_strings("rows/cost_model"), rows, file, "cost_model",
                      [](SweepRow& r, const std::string& v) { r.cost_model = v; });
  for (const auto& name : m.param_columns)
    fill<std::int64_t>(f.read_int64s("rows/params/" + name), rows, file, "params/" + name,
                       [](SweepRow& r, const std::int64_t& v) { r.params.push_back(v); });
  fill<std::string>(f.read_strings("rows/status"), rows, file, "status", [](SweepRow& r, const std::string& v) { r.status = v; });
  fill<std::string>(f.read_strings("rows/message"), rows, file, "message", [](SweepRow& r, const std::string& v) { r.message = v; });
  fill<double>(f.read_doubles("rows/total_cost"), rows, file, "total_cost", [](SweepRow& r, const double& v) { r.total_cost = v; });
  fill<double>(f.read_doubles("rows/step_time_s"), rows, file, "step_time_s", [](SweepRow& r, const double& v) { r.step_time_s = v; });
  fill<double>(f.read_doubles("rows/data_parallel_cost"), rows, file, "data_parallel_cost",
               [](SweepRow& r, const double& v) { r.data_parallel_cost = v; });
  fill<double>(f.read_doubles("rows/data_parallel_step_time_s"), rows, file, "data_parallel_step_time_s",
               [](SweepRow& r, const double& v) { r.data_parallel_step_time_s = v; });
  fill<double>(f.read_doubles("rows/speedup_over_data_parallel"), rows, file, "speedup_over_data_parallel",
               [](SweepRow& r, const double& v) { r.speedup_over_data_parallel = v; });
  fill<double>(f.read_doubles("rows/search_seconds"), rows, file, "search_seconds",
               [](SweepRow& r, const double& v) { r.search_seconds = v; });
  fill<double>(f.read_doubles("rows/build_seconds"), rows, file, "build_seconds",
               [](SweepRow& r, const double& v) { r.build_seconds = v; });
  fill<std::uint64_t>(f.read_u64s("rows/dp_cells"), rows, file, "dp_cells", [](SweepRow& r, const std::uint64_t& v) { r.dp_cells = v; });
  fill<std::uint64_t>(f.read_u64s("rows/peak_bytes"), rows, file, "peak_bytes",
                      [](SweepRow& r, const std::uint64_t& v) { r.peak_bytes = v; });
  fill<std::int64_t>(f.read_int64s("rows/plan_shared"), rows, file, "plan_shared",
                     [](SweepRow& r, const std::int64_t& v) { r.plan_shared = v != 0; });
  fill<std::int64_t>(f.read_int64s("rows/rank"), rows, file, "rank", [](SweepRow& r, const std::int64_t& v) { r.rank = static_cast<int>(v); });
  fill<std::string>(f.read_strings("rows/strategy"), rows, file, "strategy", [](SweepRow& r, const std::string& v) { r.strategy = v; });
  return t;
}

}  // namespace

void write_results_file(const std::string& path, const ResultsTable& table) {
  const std::string tmp = temporary_path(path);
  try {
    h5::File f = h5::File::create(tmp);
    write_table(f, table);
    f.close();
  } catch (const h5::Hdf5Error& e) {
    std::remove(tmp.c_str());
    throw std::runtime_error(e.what());
  }
  replace_atomically(tmp, path);
}

ResultsTable read_results_file(const std::string& path) {
  try {
    const h5::File f = h5::File::open_read_only(path);
    return read_table(f);
  } catch (const h5::Hdf5Error& e) {
    throw std::invalid_argument(std::string(e.what()) + "; is it a results file written by 'pase sweep'?");
  }
}

}  // namespace pase
