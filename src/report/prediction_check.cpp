#include "pase/report/prediction_check.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/json_depth.hpp"
#include "pase/model/model_file.hpp"
#include "pase/model/strategy_step.hpp"

namespace pase {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string MeasuredStep::where() const { return file + ": line " + std::to_string(line); }

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(line);
  std::string part;
  while (std::getline(in, part, separator)) parts.push_back(trim(part));
  if (!line.empty() && line.back() == separator) parts.emplace_back();
  return parts;
}

// A relative path names a file next to the CSV, as a sweep spec's paths do.
std::string beside(const std::string& csv_path, const std::string& path) {
  if (fs::path(path).is_absolute()) return path;
  return (fs::path(csv_path).parent_path() / path).lexically_normal().string();
}

bool is_preset(const std::string& name) {
  const auto names = cluster::preset_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

const std::vector<std::string> required_columns = {"model", "cluster", "devices", "strategy", "measured_s"};
const std::vector<std::string> optional_columns = {"precision", "set"};

MeasuredStep parse_row(const std::string& csv_path, int line, const std::map<std::string, std::size_t>& column,
                       const std::vector<std::string>& cells) {
  MeasuredStep row;
  row.file = csv_path;
  row.line = line;
  auto fail = [&](const std::string& field, const std::string& why) {
    throw std::invalid_argument(row.where() + ": field '" + field + "': " + why);
  };
  auto cell = [&](const std::string& name) -> std::string {
    const auto it = column.find(name);
    return it == column.end() ? std::string() : cells[it->second];
  };
  for (const std::string& name : required_columns)
    if (cell(name).empty()) fail(name, "empty; every row needs model, cluster, devices, strategy and measured_s");

  row.model = beside(csv_path, cell("model"));
  if (!fs::is_regular_file(row.model)) fail("model", "no model file '" + row.model + "' (paths are relative to the CSV's folder)");
  row.cluster = cell("cluster");
  if (!is_preset(row.cluster)) {
    row.cluster = beside(csv_path, row.cluster);
    if (!fs::is_regular_file(row.cluster))
      fail("cluster", "'" + cell("cluster") + "' is neither a pase-cluster preset nor a file (paths are relative to the "
                      "CSV's folder); predictions are in seconds, on the hardware model");
  }
  const std::string devices = cell("devices");
  std::size_t used = 0;
  try {
    row.devices = std::stoll(devices, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != devices.size() || row.devices < 1) fail("devices", "'" + devices + "' is not a positive whole number of devices");
  row.strategy = cell("strategy");
  if (row.strategy != "data_parallel" && row.strategy != "search") {
    row.strategy = beside(csv_path, row.strategy);
    if (!fs::is_regular_file(row.strategy))
      fail("strategy", "'" + cell("strategy") + "' is not data_parallel, search or a strategy file (a pase search "
                       "--output result; paths are relative to the CSV's folder)");
  }
  const std::string measured = cell("measured_s");
  try {
    row.measured_s = std::stod(measured, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != measured.size() || !std::isfinite(row.measured_s) || row.measured_s <= 0)
    fail("measured_s", "'" + measured + "' is not a positive number of seconds; give the measured (median) step time");
  if (!cell("precision").empty()) row.precision = cell("precision");
  for (const std::string& item : split(cell("set"), ';')) {
    if (item.empty()) continue;
    if (item.find('=') == std::string::npos) fail("set", "'" + item + "' is not name=value (separate several with ';')");
    row.overrides.push_back(item);
  }
  return row;
}

}  // namespace

std::vector<MeasuredStep> read_measured_steps(const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) throw std::invalid_argument(csv_path + ": cannot read the measured-steps CSV; check the path");
  std::string text;
  int line = 0;
  std::map<std::string, std::size_t> column;
  std::size_t columns = 0;
  std::vector<MeasuredStep> rows;
  while (std::getline(in, text)) {
    ++line;
    if (trim(text).empty() || trim(text)[0] == '#') continue;
    const std::vector<std::string> cells = split(text, ',');
    if (column.empty()) {
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const bool known = std::count(required_columns.begin(), required_columns.end(), cells[i]) +
                               std::count(optional_columns.begin(), optional_columns.end(), cells[i]) > 0;
        if (!known)
          throw std::invalid_argument(csv_path + ": line " + std::to_string(line) + ": header: unknown column '" +
                                      cells[i] + "'; columns are model, cluster, devices, strategy, measured_s, "
                                      "precision, set");
        if (!column.emplace(cells[i], i).second)
          throw std::invalid_argument(csv_path + ": line " + std::to_string(line) + ": header: column '" + cells[i] +
                                      "' given twice; name each column once");
      }
      for (const std::string& name : required_columns)
        if (!column.count(name))
          throw std::invalid_argument(csv_path + ": line " + std::to_string(line) + ": header: no column '" + name +
                                      "'; the header needs model, cluster, devices, strategy and measured_s");
      columns = cells.size();
      continue;
    }
    if (cells.size() != columns)
      throw std::invalid_argument(csv_path + ": line " + std::to_string(line) + ": has " + std::to_string(cells.size()) +
                                  " fields, the header " + std::to_string(columns) +
                                  "; give one per column (no commas inside a field)");
    rows.push_back(parse_row(csv_path, line, column, cells));
  }
  if (rows.empty())
    throw std::invalid_argument(csv_path + ": no rows; give a header line and one row per measured step");
  return rows;
}

namespace {

// The configuration index of every layer that a strategy file names, checked against the model.
std::vector<int> strategy_configs(const MeasuredStep& row, const Network& network, const ModelProblem& model) {
  const std::string& file = row.strategy;
  std::ifstream in(file);
  if (!in) throw std::invalid_argument(file + ": cannot read the strategy file; check the path");
  std::stringstream text;
  text << in.rdbuf();
  check_json_depth(text.str(), file);
  json document;
  try {
    document = json::parse(text.str());
  } catch (const json::exception& e) {
    throw std::invalid_argument(file + ": not valid JSON: " + e.what());
  }
  if (!document.is_object() || !document.contains("layers") || !document["layers"].is_array())
    throw std::invalid_argument(file + ": field 'layers': missing; a strategy file is a pase search --output result "
                                "(a list of every layer's name and config)");
  const json& layers = document["layers"];
  if (layers.size() != network.layers.size())
    throw std::invalid_argument(file + ": field 'layers': " + std::to_string(layers.size()) + " layers, but " +
                                row.model + " has " + std::to_string(network.layers.size()) +
                                "; give every layer of the model, in its order");
  std::vector<int> chosen;
  for (std::size_t v = 0; v < layers.size(); ++v) {
    const std::string field = "layers[" + std::to_string(v) + "]";
    const json& layer = layers[v];
    if (!layer.is_object() || !layer.contains("name") || !layer["name"].is_string() ||
        layer["name"].get<std::string>() != network.layers[v].name)
      throw std::invalid_argument(file + ": field '" + field + ".name': must be '" + network.layers[v].name +
                                  "', the model's layer " + std::to_string(v) + " (" + row.model + ")");
    Config config;
    const json& given = layer.contains("config") ? layer["config"] : json();
    bool valid = given.is_array();
    if (valid)
      for (const json& ways : given) {
        valid = valid && ways.is_number_integer();
        if (valid) config.push_back(ways.get<std::int64_t>());
      }
    const auto& configs = model.configs[v];
    const auto found = valid ? std::find(configs.begin(), configs.end(), config) : configs.end();
    if (found == configs.end())
      throw std::invalid_argument(file + ": field '" + field + ".config': " + (given.is_null() ? "missing" : given.dump()) +
                                  " is not a configuration of layer '" + network.layers[v].name + "' (dims " +
                                  network.layers[v].model->letters() + ") on " + std::to_string(row.devices) +
                                  " devices; give one split per dimension, at most the device count in all");
    chosen.push_back(static_cast<int>(found - configs.begin()));
  }
  return chosen;
}

}  // namespace

PredictedStep predict_step(const MeasuredStep& row, const SearchSettings& settings) {
  if (!settings.problem.hardware)
    throw std::invalid_argument("field 'cluster': '" + row.cluster +
                                "' does not price with the hardware model; name a pase-cluster preset or file");
  PredictedStep out;
  if (row.strategy == "search") {
    const SearchReport report = make_report(settings, run_search(settings));
    out.strategy = report.data_parallel_chosen ? "search (data parallelism)" : "search";
    out.predicted = report.breakdown;
  } else {
    const Network network = load_model(settings.model_file, settings.overrides);
    const ModelProblem model = build_problem(network, settings.problem);
    out.strategy = row.strategy == "data_parallel" ? row.strategy : fs::path(row.strategy).filename().string();
    out.predicted = hardware_step(model, row.strategy == "data_parallel" ? model.data_parallel
                                                                          : strategy_configs(row, network, model));
  }
  out.relative_error = (out.predicted.step_time_s() - row.measured_s) / row.measured_s;
  return out;
}

}  // namespace pase
