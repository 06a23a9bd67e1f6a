#include "pase/sweep/results_file.hpp"

#include <cstdio>
#include <limits>
#include <stdexcept>

#include "pase/cluster/cluster.hpp"
#include "pase/io/atomic_replace.hpp"
#include "pase/io/hash.hpp"
#include "pase/io/hdf5_file.hpp"
#include "pase/io/whole_file.hpp"
#include "pase/sweep/results_seal.hpp"

namespace pase {

namespace {

constexpr const char* format_name = "pase-sweep-results";
// Version 2 added the checksums: `rows/checksum` (row_checksum of each row) and the root attribute
// `table_checksum` (of the identifying attributes, the axis and parameter names and every row's
// checksum in order), so a changed byte anywhere in the values, a lost or an added row is detected.
// Version 3 added the devices' memory, `rows/memory/*` (SweepRowMemory), which row_checksum covers;
// version 2 files are still read (their rows have no device memory, their checksums none of it).
// Version 4 added the pipeline, `rows/pipeline/*` (SweepRowPipeline: the stage search's pipeline and
// the Megatron-LM rule of thumb's step), which row_checksum covers; versions 2 and 3 are still read
// (their rows have no pipeline, their checksums none of it).
constexpr std::uint64_t format_version = 4;
constexpr std::uint64_t oldest_version = 2;

// The device memory's columns: name, and the field as a double (flags 0 or 1, solves an integer).
struct MemoryColumn {
  const char* name;
  double SweepRowMemory::*number;  // or null for the integer columns below
  bool SweepRowMemory::*flag;
};
constexpr MemoryColumn memory_columns[] = {
    {"capacity_bytes", &SweepRowMemory::capacity_bytes, nullptr},
    {"per_device_bytes", &SweepRowMemory::memory_per_device_bytes, nullptr},
    {"unconstrained_fits", nullptr, &SweepRowMemory::unconstrained_fits},
    {"unconstrained_cost", &SweepRowMemory::unconstrained_cost, nullptr},
    {"lower_bound", &SweepRowMemory::lower_bound, nullptr},
    {"relative_gap", &SweepRowMemory::relative_gap, nullptr},
    {"data_parallel_fits", nullptr, &SweepRowMemory::data_parallel_fits},
    {"data_parallel_bytes", &SweepRowMemory::data_parallel_bytes, nullptr},
    {"fsdp_fits", nullptr, &SweepRowMemory::fsdp_fits},
    {"fsdp_bytes", &SweepRowMemory::fsdp_bytes, nullptr},
    {"fsdp_step_time_s", &SweepRowMemory::fsdp_step_time_s, nullptr},
    {"speedup_over_best_baseline", &SweepRowMemory::speedup_over_best_baseline, nullptr},
    {"seconds", &SweepRowMemory::seconds, nullptr},
};

// The pipeline's integer, number and text columns.
struct PipelineInteger {
  const char* name;
  std::int64_t SweepRowPipeline::*field;
};
constexpr PipelineInteger pipeline_integers[] = {
    {"stages", &SweepRowPipeline::stages},
    {"stage_devices", &SweepRowPipeline::stage_devices},
    {"replicas", &SweepRowPipeline::replicas},
    {"microbatches", &SweepRowPipeline::microbatches},
    {"microbatch_size", &SweepRowPipeline::microbatch_size},
};
struct PipelineNumber {
  const char* name;
  double SweepRowPipeline::*field;
};
constexpr PipelineNumber pipeline_numbers[] = {
    {"bubble_fraction", &SweepRowPipeline::bubble_fraction},
    {"megatron_step_time_s", &SweepRowPipeline::megatron_step_time_s},
    {"megatron_bytes", &SweepRowPipeline::megatron_bytes},
};
struct PipelineText {
  const char* name;
  std::string SweepRowPipeline::*field;
};
constexpr PipelineText pipeline_texts[] = {
    {"recompute", &SweepRowPipeline::recompute},
    {"stage_table", &SweepRowPipeline::stage_table},
    {"megatron_setup", &SweepRowPipeline::megatron_setup},
};
struct PipelineFlag {
  const char* name;
  bool SweepRowPipeline::*field;
};
constexpr PipelineFlag pipeline_flags[] = {
    {"sequence_parallel", &SweepRowPipeline::sequence_parallel},
    {"megatron_fits", &SweepRowPipeline::megatron_fits},
};

std::uint64_t table_checksum(const ResultsMeta& m, const std::vector<std::uint64_t>& row_checksums) {
  Fingerprint f;
  for (const std::string* s : {&m.fingerprint, &m.spec_name, &m.spec_file, &m.spec_text}) f.add(*s);
  f.add_word(m.point_count);
  for (const auto* names : {&m.axis_names, &m.param_columns}) {
    f.add_word(names->size());
    for (const auto& n : *names) f.add(n);
  }
  f.add_word(row_checksums.size());
  for (const auto c : row_checksums) f.add_word(c);
  return f.value();
}

std::vector<std::uint64_t> row_checksums(const std::vector<SweepRow>& rows, bool with_memory = true,
                                         bool with_pipeline = true) {
  std::vector<std::uint64_t> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(row_checksum(r, with_memory, with_pipeline));
  return out;
}

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
  const auto checksums = row_checksums(rows);
  f.write_attribute("table_checksum", table_checksum(m, checksums));
  f.write("axis_names", m.axis_names);
  f.write("param_columns", m.param_columns);
  f.create_group("rows");
  f.write("rows/point", column<std::uint64_t>(rows, [](const SweepRow& r) { return r.point; }));
  f.write("rows/model", column<std::string>(rows, [](const SweepRow& r) { return r.model; }));
  f.write("rows/procs", column<std::int64_t>(rows, [](const SweepRow& r) { return r.procs; }));
  for (const ClusterField& field : cluster_fields())
    f.write(std::string("rows/") + field.column, column<double>(rows, [&](const SweepRow& r) { return r.speeds.*field.value; }));
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
  f.create_group("rows/memory");
  for (const MemoryColumn& c : memory_columns) {
    if (c.number)
      f.write(std::string("rows/memory/") + c.name, column<double>(rows, [&](const SweepRow& r) { return r.memory.*c.number; }));
    else
      f.write(std::string("rows/memory/") + c.name,
              column<std::int64_t>(rows, [&](const SweepRow& r) { return r.memory.*c.flag ? 1 : 0; }));
  }
  f.write("rows/memory/dp_solves", column<std::int64_t>(rows, [](const SweepRow& r) { return r.memory.dp_solves; }));
  f.create_group("rows/pipeline");
  for (const PipelineInteger& c : pipeline_integers)
    f.write(std::string("rows/pipeline/") + c.name, column<std::int64_t>(rows, [&](const SweepRow& r) { return r.pipeline.*c.field; }));
  for (const PipelineNumber& c : pipeline_numbers)
    f.write(std::string("rows/pipeline/") + c.name, column<double>(rows, [&](const SweepRow& r) { return r.pipeline.*c.field; }));
  for (const PipelineText& c : pipeline_texts)
    f.write(std::string("rows/pipeline/") + c.name, column<std::string>(rows, [&](const SweepRow& r) { return r.pipeline.*c.field; }));
  for (const PipelineFlag& c : pipeline_flags)
    f.write(std::string("rows/pipeline/") + c.name,
            column<std::int64_t>(rows, [&](const SweepRow& r) { return r.pipeline.*c.field ? 1 : 0; }));
  f.write("rows/checksum", checksums);
}

template <typename T, typename Set>
void fill(const std::vector<T>& values, std::vector<SweepRow>& rows, const std::string& file, const std::string& name,
          Set set) {
  if (values.size() != rows.size())
    throw std::invalid_argument(file + ": column 'rows/" + name + "' has " + std::to_string(values.size()) +
                                " entries, 'rows/point' has " + std::to_string(rows.size()) + "; the file is damaged");
  for (std::size_t i = 0; i < rows.size(); ++i) set(rows[i], values[i]);
}

const std::string damaged = "; the file is damaged: rerun the sweep into a new --output, or restore a copy";

void verify_checksums(const h5::File& f, const ResultsTable& t, bool with_memory, bool with_pipeline) {
  const std::string& file = f.path();
  const auto stored = f.read_u64s("rows/checksum");
  if (stored.size() != t.rows.size())
    throw std::invalid_argument(file + ": column 'rows/checksum' has " + std::to_string(stored.size()) +
                                " entries, 'rows/point' has " + std::to_string(t.rows.size()) + damaged);
  const auto computed = row_checksums(t.rows, with_memory, with_pipeline);
  for (std::size_t i = 0; i < computed.size(); ++i)
    if (computed[i] != stored[i])
      throw std::invalid_argument(file + ": row " + std::to_string(i) + " (point " + std::to_string(t.rows[i].point) +
                                  ") does not match its checksum" + damaged);
  if (table_checksum(t.meta, stored) != f.read_u64_attribute("table_checksum"))
    throw std::invalid_argument(file + ": the table (its attributes, axis names or row list) does not match its "
                                "checksum 'table_checksum'" + damaged);
}

// Holds for every file pase writes (checked besides the checksums), so that no file lists a
// point outside the sweep or one point twice.
void check_points(const std::string& file, const ResultsTable& t) {
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const SweepRow& r = t.rows[i];
    if (r.point >= t.meta.point_count || (i > 0 && r.point <= t.rows[i - 1].point))
      throw std::invalid_argument(file + ": row " + std::to_string(i) + " names point " + std::to_string(r.point) +
                                  " of " + std::to_string(t.meta.point_count) +
                                  " (points must be below point_count, ascending, each once)" + damaged);
    if (r.params.size() != t.meta.param_columns.size())
      throw std::invalid_argument(file + ": row " + std::to_string(i) + " has " + std::to_string(r.params.size()) +
                                  " parameter values for " + std::to_string(t.meta.param_columns.size()) +
                                  " parameter columns" + damaged);
  }
}

void read_memory(const h5::File& f, std::vector<SweepRow>& rows) {
  const std::string& file = f.path();
  for (const MemoryColumn& c : memory_columns) {
    const std::string name = std::string("memory/") + c.name;
    if (c.number) {
      fill(f.read_doubles("rows/" + name), rows, file, name, [&](SweepRow& r, double v) { r.memory.*c.number = v; });
      continue;
    }
    const auto flags = f.read_int64s("rows/" + name);
    for (const auto v : flags)
      if (v != 0 && v != 1)
        throw std::invalid_argument(file + ": column 'rows/" + name + "' holds " + std::to_string(v) + ", not 0 or 1" + damaged);
    fill(flags, rows, file, name, [&](SweepRow& r, std::int64_t v) { r.memory.*c.flag = v != 0; });
  }
  fill(f.read_int64s("rows/memory/dp_solves"), rows, file, "memory/dp_solves",
              [](SweepRow& r, std::int64_t v) { r.memory.dp_solves = v; });
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SweepRowMemory& m = rows[i].memory;
    if (!m.checked() && (m.unconstrained_fits || m.data_parallel_fits || m.fsdp_fits || m.dp_solves != 0))
      throw std::invalid_argument(file + ": row " + std::to_string(i) +
                                  " has no device capacity but device-memory results" + damaged);
  }
}

void read_pipeline(const h5::File& f, std::vector<SweepRow>& rows) {
  const std::string& file = f.path();
  for (const PipelineInteger& c : pipeline_integers) {
    const std::string name = std::string("pipeline/") + c.name;
    const auto values = f.read_int64s("rows/" + name);
    for (const auto v : values)
      if (v < 0) throw std::invalid_argument(file + ": column 'rows/" + name + "' holds " + std::to_string(v) + ", not a count" + damaged);
    fill(values, rows, file, name, [&](SweepRow& r, std::int64_t v) { r.pipeline.*c.field = v; });
  }
  for (const PipelineNumber& c : pipeline_numbers) {
    const std::string name = std::string("pipeline/") + c.name;
    fill(f.read_doubles("rows/" + name), rows, file, name, [&](SweepRow& r, double v) { r.pipeline.*c.field = v; });
  }
  for (const PipelineText& c : pipeline_texts) {
    const std::string name = std::string("pipeline/") + c.name;
    fill(f.read_strings("rows/" + name), rows, file, name, [&](SweepRow& r, const std::string& v) { r.pipeline.*c.field = v; });
  }
  for (const PipelineFlag& c : pipeline_flags) {
    const std::string name = std::string("pipeline/") + c.name;
    const auto flags = f.read_int64s("rows/" + name);
    for (const auto v : flags)
      if (v != 0 && v != 1)
        throw std::invalid_argument(file + ": column 'rows/" + name + "' holds " + std::to_string(v) + ", not 0 or 1" + damaged);
    fill(flags, rows, file, name, [&](SweepRow& r, std::int64_t v) { r.pipeline.*c.field = v != 0; });
  }
}

ResultsTable read_table(const h5::File& f) {
  const std::string& file = f.path();
  if (!f.exists("@format") || f.read_string_attribute("format") != format_name)
    throw std::invalid_argument(file + ": not a pase sweep results file (no attribute format=\"" +
                                std::string(format_name) + "\"); name a file written by 'pase sweep'");
  const std::uint64_t version = f.read_u64_attribute("version");
  if (version < oldest_version || version > format_version)
    throw std::invalid_argument(file + ": results format version " + std::to_string(version) + " is not one of the versions " +
                                std::to_string(oldest_version) + " to " + std::to_string(format_version) +
                                " this pase reads; use the pase that wrote it");
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
  for (const ClusterField& field : cluster_fields())
    fill<double>(f.read_doubles(std::string("rows/") + field.column), rows, file, field.column,
                 [&](SweepRow& r, const double& v) { r.speeds.*field.value = v; });
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
  const auto plan_shared = f.read_int64s("rows/plan_shared");
  for (const auto v : plan_shared)
    if (v != 0 && v != 1) throw std::invalid_argument(file + ": column 'rows/plan_shared' holds " + std::to_string(v) + ", not 0 or 1" + damaged);
  fill<std::int64_t>(plan_shared, rows, file, "plan_shared",
                     [](SweepRow& r, const std::int64_t& v) { r.plan_shared = v != 0; });
  const auto ranks = f.read_int64s("rows/rank");
  for (const auto v : ranks)
    if (v < 0 || v > std::numeric_limits<int>::max())
      throw std::invalid_argument(file + ": column 'rows/rank' holds " + std::to_string(v) + ", not a rank" + damaged);
  fill<std::int64_t>(ranks, rows, file, "rank", [](SweepRow& r, const std::int64_t& v) { r.rank = static_cast<int>(v); });
  fill<std::string>(f.read_strings("rows/strategy"), rows, file, "strategy", [](SweepRow& r, const std::string& v) { r.strategy = v; });
  if (version >= 3) read_memory(f, rows);
  if (version >= 4) read_pipeline(f, rows);
  verify_checksums(f, t, version >= 3, version >= 4);
  check_points(file, t);
  return t;
}

}  // namespace

void write_results_file(const std::string& path, const ResultsTable& table) {
  const std::string tmp = temporary_path(path);
  try {
    // HDF5 1.10 cannot close a file whose writes failed, and then crashes when it shuts down (at
    // MPI_Finalize or exit): so the file is first made in memory, for its size, and the room for
    // twice that is reserved on the disk before HDF5 writes there.
    std::uint64_t bytes = 0;
    {
      h5::File probe = h5::File::create_in_memory(tmp, results_seal_bytes);
      write_table(probe, table);
      bytes = probe.image_bytes();
      probe.close();
    }
    reserve_room(tmp, 2 * bytes + (std::uint64_t{1} << 16), "results file");
    h5::File f = h5::File::create(tmp, {}, results_seal_bytes);
    write_table(f, table);
    f.close();
    seal_results_file(tmp);
  } catch (const std::runtime_error& e) {  // h5::Hdf5Error too
    std::remove(tmp.c_str());
    throw std::runtime_error(e.what());
  }
  replace_atomically(tmp, path);
}

ResultsTable read_results_file(const std::string& path) {
  try {
    check_results_seal(path);  // before HDF5 parses anything
    const h5::File f = h5::File::open_read_only(path);
    return read_table(f);
  } catch (const h5::Hdf5Error& e) {
    throw std::invalid_argument(std::string(e.what()) + "; is it a results file written by 'pase sweep'?");
  }
}

}  // namespace pase
