#include "pase/sweep/sweep_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "pase/bytes.hpp"
#include "pase/limits.hpp"
#include "pase/model/model_file.hpp"
#include "pase/pipeline/search_settings.hpp"
#include "pase/io/hash.hpp"
#include "pase/io/whole_file.hpp"

namespace pase {

std::size_t Axis::size() const {
  switch (kind) {
    case AxisKind::flops:
    case AxisKind::bw: return numbers.size();
    case AxisKind::cluster: return names.size();
    default: return integers.size();
  }
}

namespace {

namespace fs = std::filesystem;
using YAML::Node;

constexpr std::uint64_t max_points = limits::kMaxSweepPoints;
constexpr std::size_t max_axis_values = limits::kMaxAxisValues;

// Generated values are rounded to 12 significant digits, so 0.1 steps print as 0.3, not 0.30000000000000004.
double tidy(double x) {
  char text[40];
  std::snprintf(text, sizeof text, "%.12g", x);
  return std::strtod(text, nullptr);
}

bool close(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max({std::fabs(a), std::fabs(b), 1e-300}); }

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

std::string number_text(double x) {
  char text[40];
  std::snprintf(text, sizeof text, "%.12g", x);
  return text;
}

AxisKind kind_of(const std::string& name) {
  if (name == "procs") return AxisKind::procs;
  if (name == "flops") return AxisKind::flops;
  if (name == "bw") return AxisKind::bw;
  if (name == "cluster") return AxisKind::cluster;
  return AxisKind::param;
}

// The files a model file is made of: itself and the chain of files it `extends`.
void add_model_files(Fingerprint& fp, const std::string& path, int depth) {
  const std::string content = read_whole_file(path, "model file");
  fp.add(content);
  if (depth > 8) return;
  const auto doc = nlohmann::json::parse(content, nullptr, false);
  if (doc.is_object() && doc.contains("extends") && doc["extends"].is_string())
    add_model_files(fp, (fs::path(path).parent_path() / doc["extends"].get<std::string>()).string(), depth + 1);
}

class SpecReader {
 public:
  SpecReader(std::string path, std::string catalogue_override)
      : path_(std::move(path)), catalogue_override_(std::move(catalogue_override)) {}

  SweepSpec read() {
    spec_.file = path_;
    spec_.text = read_whole_file(path_, "sweep spec");
    const Node doc = parse(spec_.text);
    if (!doc.IsMap()) throw std::invalid_argument(path_ + ": the sweep spec must be a mapping (see jobs/README.md)");
    check_keys(doc, "", {"format", "version", "name", "description", "clusters", "models", "axes", "zip", "search"});
    if (!doc["format"] || scalar(doc["format"], "format") != "pase-sweep")
      fail(doc, "format", "must be \"pase-sweep\"");
    if (!doc["version"] || scalar(doc["version"], "version") != "1") fail(doc, "version", "must be 1");
    spec_.name = doc["name"] ? scalar(doc["name"], "name") : fs::path(path_).stem().string();
    read_search(doc["search"]);

    const Node models = doc["models"];
    if (!models || !models.IsSequence() || models.size() == 0)
      fail(models ? models : doc, "models", "missing or empty; list the model files to sweep");
    const Node axes = doc["axes"];
    if (axes && !axes.IsMap()) fail(axes, "axes", "must be a mapping: axis name -> values");
    for (std::size_t i = 0; i < models.size(); ++i) read_model(models[i], "models[" + std::to_string(i) + "]", axes);
    read_zip(doc["zip"]);
    check_labels();
    resolve_clusters(doc["clusters"]);
    check_capacity(doc["search"]);
    check_stages(doc["search"]);
    collect_columns();
    compute_fingerprint();
    return std::move(spec_);
  }

 private:
  Node parse(const std::string& text) const {
    // A document marker ("---" at the start of a line) after content starts a second document, which
    // YAML::Load would ignore. (YAML::LoadAll is not used: yaml-cpp 0.7 loops forever on some bad input.)
    bool content = false;
    std::size_t line = 1;
    for (std::size_t start = 0; start < text.size(); ++line) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      const std::string_view row(text.data() + start, end - start);
      const bool marker = row.starts_with("---") && (row.size() == 3 || row[3] == ' ' || row[3] == '\r');
      if (marker && content)
        throw std::invalid_argument(path_ + ":" + std::to_string(line) +
                                    ": a second YAML document ('---'); a spec is one document, remove the rest");
      if (!marker && !row.empty() && row[0] != '#' && row[0] != '%' && row.find_first_not_of(" \t\r") != std::string_view::npos)
        content = true;
      start = end + 1;
    }
    Node doc;
    try {
      doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw std::invalid_argument(path_ + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML or JSON: " + e.msg);
    }
    check_unique_keys(doc, "");
    return doc;
  }

  // yaml-cpp keeps the first of two equal keys without a word; a spec that says a thing twice is refused.
  void check_unique_keys(const Node& node, const std::string& field) const {
    if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i) check_unique_keys(node[i], field + "[" + std::to_string(i) + "]");
    } else if (node.IsMap()) {
      std::set<std::string> seen;
      for (const auto& item : node) {
        const std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
        const std::string name = field.empty() ? key : field + "." + key;
        if (!seen.insert(key).second) fail(item.first, name, "given twice; keep one");
        check_unique_keys(item.second, name);
      }
    }
  }

  [[noreturn]] void fail(const Node& at, const std::string& field, const std::string& what) const {
    const int line = at.IsDefined() ? at.Mark().line : -1;
    throw std::invalid_argument(path_ + (line >= 0 ? ":" + std::to_string(line + 1) : "") + ": field '" + field +
                                "': " + what);
  }

  std::string scalar(const Node& node, const std::string& field) const {
    if (!node.IsScalar()) fail(node, field, "must be a single value");
    return node.Scalar();
  }

  void check_keys(const Node& map, const std::string& prefix, const std::set<std::string>& allowed) const {
    for (const auto& item : map) {
      const std::string key = item.first.Scalar();
      if (!allowed.count(key)) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        fail(item.first, prefix + key, "unknown field; allowed here: " + join(names));
      }
    }
  }

  double number(const Node& node, const std::string& field) const {
    if (!node.IsScalar()) fail(node, field, "must be a number");
    try {
      const double v = node.as<double>();
      if (std::isfinite(v)) return v;
    } catch (const YAML::Exception&) {
    }
    fail(node, field, "'" + node.Scalar() + "' is not a number");
  }

  std::vector<double> range_values(const Node& node, const std::string& field) const {
    check_keys(node, field + ".", {"from", "to", "step", "times"});
    if (!node["from"] || !node["to"]) fail(node, field, "a range needs 'from' and 'to' (and 'step' or 'times')");
    if (static_cast<bool>(node["step"]) == static_cast<bool>(node["times"]))
      fail(node, field, "a range needs exactly one of 'step' (adding) and 'times' (multiplying)");
    const double from = number(node["from"], field + ".from"), to = number(node["to"], field + ".to");
    if (from > to)
      fail(node, field, "empty range: 'from' " + number_text(from) + " is above 'to' " + number_text(to) +
                            "; swap them");
    std::vector<double> values;
    if (node["step"]) {
      const double step = number(node["step"], field + ".step");
      if (step <= 0) fail(node["step"], field + ".step", "must be positive");
      for (std::size_t i = 0;; ++i) {
        const double v = tidy(from + static_cast<double>(i) * step);
        if (v > to && !close(v, to)) break;
        values.push_back(close(v, to) ? to : v);
        if (values.size() > max_axis_values) fail(node, field, "more than a million values; use a larger step");
      }
    } else {
      const double times = number(node["times"], field + ".times");
      if (times <= 1) fail(node["times"], field + ".times", "must be above 1");
      if (from <= 0) fail(node["from"], field + ".from", "a multiplying range must start above 0");
      for (double v = from;;) {
        if (v > to && !close(v, to)) break;
        values.push_back(close(v, to) ? to : v);
        if (values.size() > max_axis_values) fail(node, field, "more than a million values; use a larger 'times'");
        const double next = tidy(v * times);
        if (!(next > v))
          fail(node["times"], field + ".times",
               "so close to 1 that the values stop growing at " + number_text(v) +
                   " (values keep 12 significant digits); use a larger factor");
        v = next;
      }
    }
    return values;
  }

  std::vector<double> list_values(const Node& node, const std::string& field) const {
    std::vector<double> values;
    bool ellipsis = false;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string item = field + "[" + std::to_string(i) + "]";
      if (node[i].IsScalar() && node[i].Scalar() == "...") {
        if (ellipsis || i < 2 || i + 2 != node.size())
          fail(node[i], item, "'...' must come after at least two values and before exactly one last value, "
                              "as in [4, 8, ..., 1024]");
        ellipsis = true;
        continue;
      }
      values.push_back(number(node[i], item));
    }
    if (values.empty()) fail(node, field, "empty range: the list has no values; give at least one");
    if (!ellipsis) return values;
    const double end = values.back();
    values.pop_back();
    std::vector<double> expanded;
    try {
      expanded = expand_ellipsis(values, end);
    } catch (const std::length_error&) {
      fail(node, field, "more than a million values; write fewer or a larger step");
    }
    if (expanded.empty()) {
      std::vector<double> start = values;
      std::vector<std::string> shown;
      for (double v : start) shown.push_back(number_text(v));
      fail(node, field, "the progression " + join(shown) + ", ... never reaches " + number_text(end) +
                            " (neither multiplying nor adding); fix the last value or write a range");
    }
    return expanded;
  }

  // Values of an axis: a single value, a list (with "..."), or a range mapping.
  std::vector<double> numeric_values(const Node& node, const std::string& field) const {
    if (node.IsSequence()) return list_values(node, field);
    if (node.IsMap()) return range_values(node, field);
    if (node.IsScalar()) return {number(node, field)};
    fail(node, field, "empty range: give a value, a list or a range");
  }

  Axis read_axis(const Node& node, const std::string& name, const std::string& field, const SpecModel& model) const {
    Axis axis;
    axis.name = name;
    axis.kind = kind_of(name);
    if (axis.kind == AxisKind::param && !model.params.count(name)) {
      std::vector<std::string> params;
      for (const auto& [p, value] : model.params) params.push_back(p);
      fail(node, field, "unknown axis: not procs, flops, bw or cluster, and model '" + model.label +
                            "' has no parameter '" + name + "' (its parameters: " +
                            (params.empty() ? "none" : join(params)) + ")");
    }
    if (axis.kind == AxisKind::cluster) {
      if (node.IsScalar()) {
        axis.names.push_back(node.Scalar());
      } else if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i)
          axis.names.push_back(scalar(node[i], field + "[" + std::to_string(i) + "]"));
      } else {
        fail(node, field, "must be a preset name or a list of preset names");
      }
      if (axis.names.empty()) fail(node, field, "empty range: the list has no presets; give at least one");
      return axis;
    }
    const std::vector<double> values = numeric_values(node, field);
    if (axis.kind == AxisKind::flops || axis.kind == AxisKind::bw) {
      for (double v : values)
        if (v <= 0) fail(node, field, "value " + number_text(v) + " must be positive");
      axis.numbers = values;
      return axis;
    }
    for (double v : values) {
      if (std::fabs(v) > 9e15)
        fail(node, field, "value " + number_text(v) + " is larger than the largest sweep value 9e15");
      if (v != std::floor(v)) fail(node, field, "value " + number_text(v) + " must be an integer");
      if (axis.kind == AxisKind::procs && v < 1) fail(node, field, "value " + number_text(v) + " must be at least 1");
      axis.integers.push_back(static_cast<std::int64_t>(v));
    }
    return axis;
  }

  void read_model(const Node& node, const std::string& field, const Node& global_axes) {
    SpecModel model;
    if (node.IsMap()) {
      check_keys(node, field + ".", {"file", "label", "set", "axes"});
      if (!node["file"]) fail(node, field + ".file", "missing; name the model file (relative to the spec's folder)");
    } else if (!node.IsScalar()) {
      fail(node, field, "must be a model file path or a mapping with 'file'");
    }
    const Node file_node = node.IsMap() ? node["file"] : node;
    const std::string written = scalar(file_node, field + ".file");
    const fs::path resolved = fs::path(written).is_absolute() ? fs::path(written) : fs::path(path_).parent_path() / written;
    model.file = resolved.lexically_normal().string();
    if (!fs::is_regular_file(resolved))
      fail(file_node, field + ".file", "model file '" + written + "' not found (looked for " + model.file +
                                           "); paths are relative to the spec's folder");

    Network base;
    try {
      base = load_model(model.file);
    } catch (const std::invalid_argument& e) {
      fail(file_node, field + ".file", e.what());
    }
    model.label = base.name;
    if (node.IsMap() && node["label"]) model.label = scalar(node["label"], field + ".label");
    if (node.IsMap() && node["set"]) {
      const Node set = node["set"];
      if (!set.IsMap()) fail(set, field + ".set", "must be a mapping: parameter -> value");
      for (const auto& item : set) {
        const std::string name = item.first.Scalar();
        if (!base.params.count(name)) {
          std::vector<std::string> params;
          for (const auto& [p, value] : base.params) params.push_back(p);
          fail(item.first, field + ".set." + name, "model '" + base.name + "' has no parameter '" + name +
                                                      "' (its parameters: " + (params.empty() ? "none" : join(params)) + ")");
        }
        model.overrides.push_back(name + "=" + scalar(item.second, field + ".set." + name));
      }
    }
    try {
      model.params = model.overrides.empty() ? base.params : load_model(model.file, model.overrides).params;
    } catch (const std::invalid_argument& e) {
      fail(node["set"], field + ".set", e.what());
    }

    if (global_axes)
      for (const auto& item : global_axes) {
        const std::string name = item.first.Scalar();
        model.axes.push_back(read_axis(item.second, name, "axes." + name, model));
      }
    if (node.IsMap() && node["axes"]) {
      const Node own = node["axes"];
      if (!own.IsMap()) fail(own, field + ".axes", "must be a mapping: axis name -> values");
      for (const auto& item : own) {
        const std::string name = item.first.Scalar();
        Axis axis = read_axis(item.second, name, field + ".axes." + name, model);
        const auto same = std::find_if(model.axes.begin(), model.axes.end(), [&](const Axis& a) { return a.name == name; });
        if (same != model.axes.end()) *same = std::move(axis);
        else model.axes.push_back(std::move(axis));
      }
    }
    bool has_cluster = false, has_flops_or_bw = false;
    for (const auto& a : model.axes) {
      has_cluster = has_cluster || a.kind == AxisKind::cluster;
      has_flops_or_bw = has_flops_or_bw || a.kind == AxisKind::flops || a.kind == AxisKind::bw;
    }
    if (has_cluster && has_flops_or_bw)
      fail(node, field, "model '" + model.label +
                            "' has a 'cluster' axis and a 'flops' or 'bw' axis; a preset sets both, so keep one of them");
    spec_.models.push_back(std::move(model));
    model_nodes_.push_back(node);
  }

  void read_zip(const Node& zip) {
    std::vector<std::vector<std::string>> groups;
    if (zip) {
      if (!zip.IsSequence()) fail(zip, "zip", "must be a list of lists of axis names, as in [[flops, bw]]");
      std::set<std::string> seen;
      for (std::size_t g = 0; g < zip.size(); ++g) {
        const std::string field = "zip[" + std::to_string(g) + "]";
        if (!zip[g].IsSequence() || zip[g].size() < 2) fail(zip[g], field, "must list at least two axis names");
        std::vector<std::string> group;
        for (std::size_t i = 0; i < zip[g].size(); ++i) {
          const std::string name = scalar(zip[g][i], field + "[" + std::to_string(i) + "]");
          if (!seen.insert(name).second) fail(zip[g][i], field, "axis '" + name + "' is zipped twice");
          group.push_back(name);
        }
        groups.push_back(std::move(group));
      }
    }
    std::uint64_t total = 0;  // points of all models so far
    for (std::size_t m = 0; m < spec_.models.size(); ++m) {
      SpecModel& model = spec_.models[m];
      std::vector<int> group_of(model.axes.size(), -1);
      for (std::size_t g = 0; g < groups.size(); ++g) {
        std::size_t length = 0;
        for (const auto& name : groups[g]) {
          const auto it = std::find_if(model.axes.begin(), model.axes.end(), [&](const Axis& a) { return a.name == name; });
          if (it == model.axes.end())
            fail(zip[g], "zip[" + std::to_string(g) + "]", "axis '" + name + "' is not an axis of model '" + model.label +
                                                               "'; add it to 'axes' or remove it from the zip");
          const auto index = static_cast<std::size_t>(it - model.axes.begin());
          if (length != 0 && it->size() != length)
            fail(zip[g], "zip[" + std::to_string(g) + "]",
                 "zipped axes need equally many values, but for model '" + model.label + "' '" + groups[g][0] + "' has " +
                     std::to_string(length) + " and '" + name + "' has " + std::to_string(it->size()));
          length = it->size();
          group_of[index] = static_cast<int>(g);
        }
      }
      std::vector<bool> placed(groups.size(), false);
      for (std::size_t a = 0; a < model.axes.size(); ++a) {
        if (group_of[a] < 0) {
          model.factors.push_back({static_cast<int>(a)});
        } else if (!placed[group_of[a]]) {
          placed[group_of[a]] = true;
          std::vector<int> factor;
          for (std::size_t b = 0; b < model.axes.size(); ++b)
            if (group_of[b] == group_of[a]) factor.push_back(static_cast<int>(b));
          model.factors.push_back(factor);
        }
      }
      std::uint64_t points = 1;
      for (const auto& factor : model.factors) {
        points *= model.axes[factor[0]].size();
        if (points > max_points)
          fail(model_nodes_[m], "models[" + std::to_string(m) + "]",
               "model '" + model.label + "' alone has more than 100 million points; use fewer axis values");
      }
      total += points;
      if (total > max_points)
        fail(model_nodes_[m], "models[" + std::to_string(m) + "]",
             "the sweep has more than 100 million points with model '" + model.label +
                 "'; use fewer models or axis values, or split the spec");
    }
  }

  void check_labels() const {
    std::map<std::string, std::size_t> first;
    for (std::size_t m = 0; m < spec_.models.size(); ++m) {
      const auto [it, fresh] = first.emplace(spec_.models[m].label, m);
      if (!fresh)
        fail(model_nodes_[m], "models[" + std::to_string(m) + "].label",
             "label '" + spec_.models[m].label + "' is already used by models[" + std::to_string(it->second) +
                 "]; give each entry a distinct 'label'");
    }
  }

  void read_search(const Node& search) {
    if (!search) return;
    if (!search.IsMap())
      fail(search, "search",
           "must be a mapping (order, prune, blocks, stages, parallel_edges, max_memory, precision, memory_per_device, optimizer, "
           "training_precision)");
    check_keys(search, "search.",
               {"order", "prune", "blocks", "stages", "parallel_edges", "max_memory", "precision", "memory_per_device", "optimizer",
                "training_precision"});
    read_device_memory(search);
    try {
      if (search["precision"]) spec_.precision = cluster::parse_precision(scalar(search["precision"], "search.precision"));
    } catch (const std::invalid_argument& e) {
      fail(search["precision"], "search.precision", e.what());
    }
    try {
      if (search["prune"]) spec_.prune = parse_prune_mode(scalar(search["prune"], "search.prune"));
    } catch (const std::invalid_argument& e) {
      fail(search["prune"], "search.prune", e.what());
    }
    try {
      if (search["blocks"]) spec_.blocks = parse_block_mode(scalar(search["blocks"], "search.blocks"));
    } catch (const std::invalid_argument& e) {
      fail(search["blocks"], "search.blocks", e.what());
    }
    try {
      if (search["stages"]) spec_.stages = parse_stage_mode(scalar(search["stages"], "search.stages"));
      if (spec_.stages == StageMode::when_needed)
        throw std::invalid_argument("'when-needed' is pase search's; a sweep point is either 'auto' (the stage "
                                    "search) or 'none' (the plain search, does_not_fit when nothing fits)");
    } catch (const std::invalid_argument& e) {
      fail(search["stages"], "search.stages", e.what());
    }
    try {
      if (search["order"]) spec_.order = parse_order_kind(scalar(search["order"], "search.order"));
    } catch (const std::invalid_argument& e) {
      fail(search["order"], "search.order", e.what());
    }
    try {
      if (search["parallel_edges"])
        spec_.parallel_edges = parse_parallel_edges(scalar(search["parallel_edges"], "search.parallel_edges"));
    } catch (const std::invalid_argument& e) {
      fail(search["parallel_edges"], "search.parallel_edges", e.what());
    }
    try {
      if (search["max_memory"]) spec_.max_memory_bytes = parse_bytes(scalar(search["max_memory"], "search.max_memory"), "search.max_memory");
    } catch (const std::invalid_argument& e) {
      fail(search["max_memory"], "search.max_memory", e.what());
    }
  }

  // As pase search's --memory-per-device, --optimizer and --training-precision.
  void read_device_memory(const Node& search) {
    if (const Node n = search["memory_per_device"]) {
      const std::string text = scalar(n, "search.memory_per_device");
      if (!text.empty() && text[0] == '-') fail(n, "search.memory_per_device", "must not be negative (e.g. 80G)");
      try {
        spec_.memory_per_device_bytes = static_cast<double>(parse_bytes(text, "search.memory_per_device"));
      } catch (const std::invalid_argument& e) {
        fail(n, "search.memory_per_device", e.what());
      }
    }
    const Node optimizer = search["optimizer"], precision = search["training_precision"];
    try {
      spec_.recipe = training_recipe(optimizer ? scalar(optimizer, "search.optimizer") : "adam",
                                     precision ? scalar(precision, "search.training_precision") : "mixed");
    } catch (const std::invalid_argument& e) {
      fail(optimizer ? optimizer : precision, optimizer ? "search.optimizer" : "search.training_precision", e.what());
    }
  }

  // A capacity must leave room above a pase-cluster's reserve, as pase search --memory-per-device.
  void check_capacity(const Node& search) const {
    if (!spec_.memory_per_device_bytes || *spec_.memory_per_device_bytes == 0) return;
    for (const auto& [name, hw] : spec_.hardware_clusters)
      if (*spec_.memory_per_device_bytes <= hw.device.memory_reserve_bytes)
        fail(search["memory_per_device"], "search.memory_per_device",
             "is not above the reserve of cluster '" + name + "' (" +
                 format_bytes(static_cast<std::uint64_t>(hw.device.memory_reserve_bytes)) + ")");
  }

  // The stage search prices on the hardware model: every point's cluster a pase-cluster.
  void check_stages(const Node& search) const {
    if (spec_.stages != StageMode::automatic) return;
    for (std::size_t m = 0; m < spec_.models.size(); ++m) {
      bool hardware = false;
      for (const auto& axis : spec_.models[m].axes)
        if (axis.kind == AxisKind::cluster) {
          hardware = true;
          for (const auto& name : axis.names)
            if (!spec_.hardware_clusters.count(name))
              fail(search["stages"], "search.stages",
                   "auto needs the hardware cost model, and cluster '" + name +
                       "' is a paper-model preset; put pase-cluster presets or files (e.g. dgx-a100) on the cluster axis");
        }
      if (!hardware)
        fail(search["stages"], "search.stages",
             "auto needs the hardware cost model: give models[" + std::to_string(m) +
                 "] a cluster axis of pase-cluster presets or files (e.g. cluster: [dgx-a100])");
    }
  }

  void resolve_clusters(const Node& clusters) {
    bool used = false;
    for (const auto& model : spec_.models)
      for (const auto& axis : model.axes) used = used || axis.kind == AxisKind::cluster;
    if (!used) return;
    bool catalogue_needed = false;
    for (const auto& model : spec_.models)
      for (const auto& axis : model.axes)
        for (const auto& name : axis.names) {
          if (spec_.hardware_clusters.count(name)) continue;
          const auto presets = cluster::preset_names();
          const bool preset = std::find(presets.begin(), presets.end(), name) != presets.end();
          const std::string file =
              fs::path(name).is_absolute() ? name : (fs::path(path_).parent_path() / name).string();
          if (!preset && (!catalogue_override_.empty() || !fs::is_regular_file(file))) {
            catalogue_needed = true;
            continue;
          }
          try {
            spec_.hardware_clusters.emplace(name, cluster::load_cluster(preset ? name : file));
            hardware_texts_.push_back(preset ? cluster::preset_text(name) : read_whole_file(file, "cluster file"));
          } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(path_ + ": field 'axes.cluster': " + e.what());
          }
        }
    if (!catalogue_needed) return;
    std::string path = catalogue_override_;
    if (path.empty() && clusters) {
      const std::string written = scalar(clusters, "clusters");
      path = fs::path(written).is_absolute() ? written : (fs::path(path_).parent_path() / written).string();
    }
    if (path.empty()) path = default_cluster_catalogue_path();
    try {
      spec_.catalogue = load_cluster_catalogue(path);
    } catch (const std::invalid_argument& e) {
      if (clusters) fail(clusters, "clusters", e.what());
      throw;
    }
    for (const auto& model : spec_.models)
      for (const auto& axis : model.axes)
        for (const auto& name : axis.names)
          if (!spec_.hardware_clusters.count(name) && !spec_.catalogue->presets.count(name)) {
            std::vector<std::string> known;
            for (const auto& [key, preset] : spec_.catalogue->presets) known.push_back(key);
            throw std::invalid_argument(path_ + ": field 'axes.cluster': no preset '" + name + "' in " + path +
                                        "; known presets: " + join(known));
          }
  }

  void collect_columns() {
    auto add = [](std::vector<std::string>& list, const std::string& name) {
      if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
    };
    spec_.param_columns.push_back("batch");
    for (const auto& model : spec_.models) {
      for (const auto& axis : model.axes) {
        add(spec_.axis_names, axis.name);
        if (axis.kind == AxisKind::param) add(spec_.param_columns, axis.name);
      }
      for (const auto& o : model.overrides) add(spec_.param_columns, o.substr(0, o.find('=')));
    }
  }

  void compute_fingerprint() {
    Fingerprint fp;
    fp.add("pase-sweep 1");
    fp.add(spec_.text);
    for (const auto& model : spec_.models) add_model_files(fp, model.file, 0);
    if (spec_.catalogue) fp.add(read_whole_file(spec_.catalogue->file, "cluster catalogue"));
    for (const auto& text : hardware_texts_) fp.add(text);
    spec_.fingerprint = fp.hex();
  }

  std::string path_;
  std::string catalogue_override_;
  std::vector<std::string> hardware_texts_;  // the pase-cluster files on the cluster axis, for the fingerprint
  SweepSpec spec_;
  std::vector<Node> model_nodes_;
};

}  // namespace

std::vector<double> expand_ellipsis(const std::vector<double>& start, double end) {
  if (start.size() < 2) return {};
  // Multiplying: every ratio equal and above 1 (or below 1 going down).
  const double ratio = start[0] != 0 ? start[1] / start[0] : 0;
  bool geometric = start[0] > 0 && ratio > 0 && !close(ratio, 1.0);
  for (std::size_t i = 2; geometric && i < start.size(); ++i) geometric = close(start[i] / start[i - 1], ratio);
  if (geometric) {
    std::vector<double> values = start;
    if (close(values.back(), end)) return values.back() = end, values;
    for (;;) {
      if (values.size() >= max_axis_values) throw std::length_error("more than a million values");
      const double next = tidy(start[0] * std::pow(ratio, static_cast<double>(values.size())));
      if (close(next, end)) {
        values.push_back(end);
        return values;
      }
      if ((ratio > 1 && next > end) || (ratio < 1 && next < end)) break;
      values.push_back(next);
    }
  }
  const double step = start[1] - start[0];
  bool arithmetic = step != 0;
  for (std::size_t i = 2; arithmetic && i < start.size(); ++i) arithmetic = close(start[i] - start[i - 1], step);
  if (!arithmetic) return {};
  std::vector<double> values = start;
  if (close(values.back(), end)) return values.back() = end, values;
  for (;;) {
    if (values.size() >= max_axis_values) throw std::length_error("more than a million values");
    const double next = tidy(start[0] + step * static_cast<double>(values.size()));
    if (close(next, end) || std::fabs(next - end) <= 1e-9 * std::fabs(step)) {
      values.push_back(end);
      return values;
    }
    if ((step > 0 && next > end) || (step < 0 && next < end)) break;
    values.push_back(next);
  }
  return {};
}

SweepSpec load_sweep_spec(const std::string& path, const std::string& catalogue_path) {
  return SpecReader(path, catalogue_path).read();
}

}  // namespace pase
