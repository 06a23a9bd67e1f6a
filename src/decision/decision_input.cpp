#include "pase/decision/decision_input.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <yaml-cpp/yaml.h>

#include "pase/json_depth.hpp"
#include "pase/sweep/csv_export.hpp"
#include "pase/sweep/results_file.hpp"
#include "pase/sweep/results_seal.hpp"

namespace pase::decision {

namespace {

using Json = nlohmann::json;

// Before any read: opening a FIFO would block.
void require_regular_file(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status) || std::filesystem::is_regular_file(status)) return;
  throw std::invalid_argument(path + ": is not a regular file (" +
                              std::string(std::filesystem::is_directory(status) ? "a folder" : "a FIFO or device") +
                              "); name a results .h5 of 'pase sweep' or a file written by 'pase search --output'");
}

}  // namespace

bool is_results_file(const std::string& path) {
  require_regular_file(path);
  return starts_as_results_file(path);
}

namespace {

[[noreturn]] void missing(const std::string& file, const std::string& field, const std::string& what) {
  throw std::invalid_argument(file + ": field '" + field + "' " + what +
                              "; give a file written by 'pase search --output' (or a results .h5 of 'pase sweep')");
}

const Json& at(const Json& doc, const std::string& file, const std::string& path) {
  const Json* j = &doc;
  std::string walked;
  std::istringstream parts(path);
  for (std::string key; std::getline(parts, key, '.');) {
    walked += (walked.empty() ? "" : ".") + key;
    if (j->is_array() && !key.empty() && key.find_first_not_of("0123456789") == std::string::npos) {
      const std::size_t index = std::stoul(key);
      if (index >= j->size()) missing(file, walked, "is missing");
      j = &(*j)[index];
      continue;
    }
    if (!j->is_object() || !j->contains(key)) missing(file, walked, "is missing");
    j = &(*j)[key];
  }
  return *j;
}

double number(const Json& doc, const std::string& file, const std::string& path) {
  const Json& j = at(doc, file, path);
  if (!j.is_number() || !std::isfinite(j.get<double>())) missing(file, path, "is not a finite number");
  return j.get<double>();
}

std::optional<Breakdown> breakdown(const Json& doc, const std::string& file) {
  if (!doc.contains("step_breakdown")) return std::nullopt;
  return Breakdown{number(doc, file, "step_breakdown.compute_s"), number(doc, file, "step_breakdown.communication_s"),
                   number(doc, file, "step_breakdown.exposed_communication_s")};
}

// A report's `memory` object (memory.per_device_bytes, memory.capacity_bytes, memory.breakdown.PART) as
// numbers: PART_bytes for each part of the breakdown.
std::map<std::string, double> memory_of(const Json& memory) {
  std::map<std::string, double> out;
  if (!memory.is_object()) return out;
  for (const char* key : {"per_device_bytes", "capacity_bytes"})
    if (memory.contains(key) && memory[key].is_number()) out[key] = memory[key].get<double>();
  if (memory.contains("breakdown") && memory["breakdown"].is_object())
    for (const auto& [part, value] : memory["breakdown"].items())
      if (value.is_number() && std::isfinite(value.get<double>())) out[part + "_bytes"] = value.get<double>();
  return out;
}

std::string text_or(const Json& doc, const std::string& key, const std::string& fallback) {
  return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : fallback;
}

std::string joined(const Json& config) {
  std::string s;
  if (!config.is_array()) return config.dump();
  for (const auto& v : config) s += (s.empty() ? "" : ",") + v.dump();
  return s;
}

std::string placement_text(const Json& placement) {
  std::string s;
  if (!placement.is_object()) return "-";
  for (const auto& [letter, p] : placement.items()) {
    const auto ways = p.value("ways", 1), nodes = p.value("nodes", 1);
    s += (s.empty() ? "" : " ") + letter + std::to_string(ways) + (nodes > 1 ? "@" + std::to_string(nodes) + "n" : "@in");
  }
  return s.empty() ? "-" : s;
}

std::int64_t integer(const Json& doc, const std::string& file, const std::string& path) {
  const Json& j = at(doc, file, path);
  if (!j.is_number_integer()) missing(file, path, "is not an integer");
  return j.get<std::int64_t>();
}

// What a stage has in both formats (search JSON, a results row's stage table): devices, micro-batch
// time, memory and strategy, read at `key` of `root`.
void read_stage_numbers(const Json& root, const std::string& file, const std::string& key, const Json& stage,
                        PipelineStage& st) {
  st.devices = integer(root, file, key + ".devices");
  st.microbatch_time_s = number(root, file, key + ".microbatch_time_s");
  st.memory_bytes_per_device = number(root, file, key + ".memory_bytes_per_device");
  st.strategy = text_or(stage, "strategy", "");
}

// JSON `pipeline` of a stage search or of pase evaluate (stage_devices, or tensor_parallel).
Pipeline pipeline_of(const Json& doc, const std::string& file) {
  Pipeline p;
  const Json& stages = at(doc, file, "pipeline.stages");
  if (!stages.is_array() || stages.empty()) missing(file, "pipeline.stages", "is not a list of stages");
  const std::string devices_key = doc["pipeline"].contains("stage_devices") ? "stage_devices" : "tensor_parallel";
  p.keys = {{"stages", "pipeline.stages"},
            {"stage_devices", "pipeline." + devices_key},
            {"replicas", "pipeline.data_parallel"},
            {"microbatches", "pipeline.microbatches"},
            {"microbatch_size", "pipeline.microbatch_size"},
            {"bubble_fraction", "pipeline.bubble_fraction"}};
  p.stage_prefix = "pipeline.stages.";
  p.stage_devices = integer(doc, file, p.keys["stage_devices"]);
  p.replicas = integer(doc, file, "pipeline.data_parallel");
  p.microbatches = integer(doc, file, "pipeline.microbatches");
  p.microbatch_size = integer(doc, file, "pipeline.microbatch_size");
  p.interleave = static_cast<int>(integer(doc, file, "pipeline.interleave"));
  p.bubble_fraction = number(doc, file, "pipeline.bubble_fraction");
  if (doc["pipeline"].contains("bubble_s")) p.bubble_s = number(doc, file, "pipeline.bubble_s");
  p.recompute = text_or(doc["pipeline"], "recompute", "");
  p.sequence_parallel = doc["pipeline"].value("sequence_parallel", false);
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string key = "pipeline.stages." + std::to_string(i);
    const Json& chunks = at(doc, file, key + ".chunks");
    if (!chunks.is_array() || chunks.empty()) missing(file, key + ".chunks", "is not a list of layer ranges");
    PipelineStage st;
    st.first = text_or(chunks.front(), "first", "?");
    st.last = text_or(chunks.back(), "last", "?");
    st.layers = integer(doc, file, key + ".last_layer") - integer(doc, file, key + ".first_layer") + 1;
    read_stage_numbers(doc, file, key, stages[i], st);
    p.stages.push_back(std::move(st));
  }
  return p;
}

// A row's pipeline columns (rows/pipeline/*), its stages from the stage_table JSON.
Pipeline pipeline_of(const SweepRowPipeline& row, const std::string& file, std::uint64_t point) {
  Pipeline p;
  for (const char* field : {"stages", "stage_devices", "replicas", "microbatches", "microbatch_size", "bubble_fraction"})
    p.keys[field] = std::string("pipeline/") + field;
  p.stage_prefix = "pipeline/stage_table.";
  p.stage_devices = row.stage_devices;
  p.replicas = row.replicas;
  p.microbatches = row.microbatches;
  p.microbatch_size = row.microbatch_size;
  p.bubble_fraction = row.bubble_fraction;
  p.recompute = row.recompute;
  p.sequence_parallel = row.sequence_parallel;
  const std::string where = file + " (point " + std::to_string(point) + ", rows/pipeline/stage_table)";
  Json stages;
  try {
    stages = Json::parse(row.stage_table);
  } catch (const Json::exception& e) {
    throw std::invalid_argument(where + ": not JSON (" + std::string(e.what()) + "); the file is damaged");
  }
  if (!stages.is_array()) throw std::invalid_argument(where + ": not a list of stages; the file is damaged");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string key = std::to_string(i);
    PipelineStage st;
    st.first = text_or(stages[i], "first", "?");
    st.last = text_or(stages[i], "last", "?");
    st.layers = integer(stages, where, key + ".layers");
    read_stage_numbers(stages, where, key, stages[i], st);
    p.stages.push_back(std::move(st));
  }
  return p;
}

Scenario from_search_json(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::invalid_argument(file + ": cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  check_json_depth(text, file);
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::exception& e) {
    throw std::invalid_argument(file + ": not JSON (" + std::string(e.what()) +
                                "); give a file written by 'pase search --output' or a results .h5");
  }
  if (!doc.is_object()) missing(file, "model", "is missing (the file is not a JSON object)");
  Scenario s;
  s.source = file;
  const Json& model = at(doc, file, "model");
  if (!model.is_string()) missing(file, "model", "is not a string");
  s.model = model.get<std::string>();
  s.cost_model = text_or(doc, "cost_model", "paper");
  s.cluster = text_or(doc, "cluster", "");
  s.precision = text_or(doc, "precision", "");
  s.procs = static_cast<std::int64_t>(number(doc, file, "procs"));
  s.flops_tflops = doc.contains("flops_tflops") ? number(doc, file, "flops_tflops") : 0;
  s.bw_gbytes = doc.contains("bw_gbytes") ? number(doc, file, "bw_gbytes") : 0;
  if (doc.contains("params") && doc["params"].is_object())
    for (const auto& [name, value] : doc["params"].items())
      if (value.is_number_integer()) s.params[name] = value.get<std::int64_t>();
  s.step_time_s = number(doc, file, "step_time_s");
  s.data_parallel_step_time_s = number(doc, file, "data_parallel.step_time_s");
  if (doc.contains("speedup_over_data_parallel") && doc["speedup_over_data_parallel"].is_null()) {
    // Data parallelism does not fit the devices' memory: the ratio of step times stays as information.
    s.data_parallel_fits = false;
    s.speedup = number(doc, file, "data_parallel.step_time_s") / number(doc, file, "step_time_s");
  } else {
    s.speedup = number(doc, file, "speedup_over_data_parallel");
  }
  s.breakdown = breakdown(doc, file);
  if (doc["data_parallel"].contains("step_breakdown")) {
    const Json& dp = doc["data_parallel"];
    s.data_parallel_breakdown = Breakdown{number(doc, file, "data_parallel.step_breakdown.compute_s"),
                                          number(doc, file, "data_parallel.step_breakdown.communication_s"),
                                          number(doc, file, "data_parallel.step_breakdown.exposed_communication_s")};
    if (dp.contains("devices_used")) s.data_parallel_devices_used = static_cast<std::int64_t>(number(doc, file, "data_parallel.devices_used"));
  }
  if (doc.contains("devices_used")) s.devices_used = static_cast<std::int64_t>(number(doc, file, "devices_used"));
  s.data_parallel_chosen = doc.value("data_parallel_chosen", false);
  s.memory = memory_of(doc.contains("memory") ? doc["memory"] : Json());
  if (doc.contains("layers")) {
    const Json& layers = doc["layers"];
    if (!layers.is_array()) missing(file, "layers", "is not a list");
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const std::string p = "layers." + std::to_string(i);
      const Json& l = layers[i];
      if (!l.is_object()) missing(file, p, "is not an object");
      LayerLine line;
      line.name = text_or(l, "name", "?");
      line.op = text_or(l, "op", "");
      line.dims = text_or(l, "dims", "");
      line.config = l.contains("config") ? joined(l["config"]) : "";
      line.placement = l.contains("placement") ? placement_text(l["placement"]) : "-";
      line.share = l.contains("share") && l["share"].is_number() ? l["share"].get<double>() : 0;
      line.time_s = l.contains("time_s") && l["time_s"].is_number() ? l["time_s"].get<double>() : 0;
      if (l.contains("memory_bytes") && l["memory_bytes"].is_number()) line.memory_bytes = l["memory_bytes"].get<double>();
      s.layers.push_back(std::move(line));
    }
  }
  if (doc.contains("baselines")) {
    const Json& baselines = doc["baselines"];
    if (!baselines.is_array()) missing(file, "baselines", "is not a list");
    for (std::size_t i = 0; i < baselines.size(); ++i) {
      const std::string p = "baselines." + std::to_string(i);
      const Json& b = baselines[i];
      if (!b.is_object()) missing(file, p, "is not an object");
      Baseline line;
      line.name = text_or(b, "name", "baseline " + std::to_string(i + 1));
      line.step_time_s = number(b, file + " (" + p + ")", "step_time_s");
      if (b.contains("fits") && b["fits"].is_boolean()) line.fits = b["fits"].get<bool>();
      if (line.name == "megatron" && !s.megatron)
        s.megatron = MegatronBaseline{text_or(b, "setup", ""), line.step_time_s, line.fits.value_or(true), p + ".step_time_s"};
      if (line.name == "data_parallel" && s.data_parallel_memory.empty()) {
        Json memory = Json::object();
        if (b.contains("memory_per_device_bytes")) memory["per_device_bytes"] = b["memory_per_device_bytes"];
        if (b.contains("memory_breakdown")) memory["breakdown"] = b["memory_breakdown"];
        if (doc.contains("memory") && doc["memory"].contains("capacity_bytes"))
          memory["capacity_bytes"] = doc["memory"]["capacity_bytes"];
        s.data_parallel_memory = memory_of(memory);
      }
      s.baselines.push_back(std::move(line));
    }
  }
  if (doc.contains("pipeline") && !doc["pipeline"].is_null()) s.pipeline = pipeline_of(doc, file);
  return s;
}

}  // namespace

std::int64_t Scenario::param(const std::string& name) const {
  const auto it = params.find(name);
  return it == params.end() ? -1 : it->second;
}

std::string Scenario::cluster_text() const {
  if (!cluster.empty()) return cluster;
  return exact_number(flops_tflops) + " TFLOP/s, " + exact_number(bw_gbytes) + " GB/s";
}

DecisionInput from_results(const ResultsTable& table, const std::string& file) {
  DecisionInput input;
  input.files = {file};
  input.sweep = true;
  input.title = "sweep " + table.meta.spec_name;
  input.rows_total = table.rows.size();
  // The spec's search.precision prices its pase-cluster points (fp32 when it names none).
  std::string precision = "fp32";
  try {
    const YAML::Node spec = YAML::Load(table.meta.spec_text);
    if (spec.IsMap() && spec["search"] && spec["search"].IsMap() && spec["search"]["precision"])
      precision = spec["search"]["precision"].as<std::string>();
  } catch (const YAML::Exception&) {
    precision.clear();  // the page then says it is not recorded
  }
  std::map<std::string, std::map<std::string, std::set<std::int64_t>>> values;  // model -> column -> values
  for (const auto& r : table.rows) {
    if (!r.ok() || !std::isfinite(r.step_time_s) || !std::isfinite(r.data_parallel_step_time_s)) {
      ++input.rows_failed;
      continue;
    }
    Scenario s;
    s.source = file + ", point " + std::to_string(r.point);
    s.point = static_cast<std::int64_t>(r.point);
    s.model = r.model;
    s.cluster = r.cluster;
    s.cost_model = r.cost_model;
    if (r.cost_model == "hardware") s.precision = precision;
    s.procs = r.procs;
    s.flops_tflops = r.speeds.flops_tflops;
    s.bw_gbytes = r.speeds.bw_gbytes;
    for (std::size_t c = 0; c < table.meta.param_columns.size(); ++c)
      if (r.params[c] != missing_param) {
        s.params[table.meta.param_columns[c]] = r.params[c];
        values[r.model][table.meta.param_columns[c]].insert(r.params[c]);
      }
    s.step_time_s = r.step_time_s;
    s.data_parallel_step_time_s = r.data_parallel_step_time_s;
    s.speedup = r.speedup_over_data_parallel;
    if (r.memory.checked() && !r.memory.data_parallel_fits) {
      // As a search's JSON with a null speedup: the ratio of step times stays as information.
      s.data_parallel_fits = false;
      s.speedup = r.data_parallel_step_time_s / r.step_time_s;
    }
    s.strategy = r.strategy;
    if (r.pipeline.present()) s.pipeline = pipeline_of(r.pipeline, file, r.point);
    if (!r.pipeline.megatron_setup.empty())
      s.megatron = MegatronBaseline{r.pipeline.megatron_setup, r.pipeline.megatron_step_time_s, r.pipeline.megatron_fits,
                                    "pipeline/megatron_step_time_s"};
    input.scenarios.push_back(std::move(s));
  }
  std::set<std::string> varying;
  for (const auto& [model, columns] : values)
    for (const auto& [column, seen] : columns)
      if (seen.size() > 1) varying.insert(column);
  input.varying.assign(varying.begin(), varying.end());
  return input;
}

DecisionInput read_decision_input(const std::vector<std::string>& files) {
  DecisionInput input;
  input.files = files;
  if (files.empty()) throw std::invalid_argument("name a results .h5 file or one or more search JSON files");
  const bool h5 = is_results_file(files[0]);
  if (h5) {
    if (files.size() > 1)
      throw std::invalid_argument(files[1] + ": a report reads one results .h5 file (join several with 'pase merge')");
    return from_results(read_results_file(files[0]), files[0]);
  }
  for (const auto& f : files) {
    if (is_results_file(f)) throw std::invalid_argument(f + ": a results .h5 file goes alone, not with search JSON files");
    input.scenarios.push_back(from_search_json(f));
  }
  input.rows_total = input.scenarios.size();
  std::map<std::string, std::map<std::string, std::set<std::int64_t>>> values;
  for (const auto& s : input.scenarios)
    for (const auto& [name, value] : s.params) values[s.model][name].insert(value);
  std::set<std::string> varying;
  for (const auto& [model, columns] : values)
    for (const auto& [column, seen] : columns)
      if (seen.size() > 1) varying.insert(column);
  input.varying.assign(varying.begin(), varying.end());
  const Scenario& first = input.scenarios.front();
  input.title = first.model + " on " + first.cluster_text();
  return input;
}

std::string series_name(const DecisionInput& input, const Scenario& s) {
  std::string name = s.model + " on " + s.cluster_text();
  if (!s.precision.empty()) name += " " + s.precision;
  for (const auto& column : input.varying)
    if (const auto v = s.param(column); v >= 0) name += ", " + column + "=" + std::to_string(v);
  return name;
}

}  // namespace pase::decision
