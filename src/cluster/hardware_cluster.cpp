#include "pase/cluster/hardware_cluster.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "pase/json_depth.hpp"

namespace pase::cluster {

namespace {

using nlohmann::json;

// Reads one object strictly: every field named, none unknown, with its path for errors.
class Reader {
 public:
  Reader(const json& object, std::string file, std::string path, const std::set<std::string>& allowed)
      : object_(object), file_(std::move(file)), path_(std::move(path)) {
    if (!object_.is_object()) fail(path_, "must be an object");
    for (const auto& [key, value] : object_.items())
      if (!allowed.count(key)) fail(field(key), "unknown field (misspelt?)");
  }

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw std::invalid_argument(file_ + ": " + where + ": " + problem);
  }
  std::string field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  const json& get(const std::string& key) const {
    if (!object_.contains(key)) fail(field(key), "missing field");
    return object_.at(key);
  }
  double positive(const std::string& key) const {
    const json& value = get(key);
    if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() <= 0)
      fail(field(key), "must be a positive number");
    return value.get<double>();
  }
  int positive_int(const std::string& key) const {
    const json& value = get(key);
    if (!value.is_number_integer() || value.get<long long>() <= 0 || value.get<long long>() > 1 << 20)
      fail(field(key), "must be a positive integer");
    return value.get<int>();
  }
  double fraction(const std::string& key) const {
    const double value = positive(key);
    if (value > 1) fail(field(key), "must be a fraction in (0, 1]");
    return value;
  }
  std::string string(const std::string& key) const {
    const json& value = get(key);
    if (!value.is_string()) fail(field(key), "must be a string");
    return value.get<std::string>();
  }
  Reader child(const std::string& key, const std::set<std::string>& allowed) const {
    return Reader(get(key), file_, field(key), allowed);
  }
  const json& object() const { return object_; }

 private:
  const json& object_;
  std::string file_;
  std::string path_;
};

EfficiencyCurve read_curve(const Reader& parent, const std::string& key) {
  const json& value = parent.get(key);
  const std::string where = parent.field(key);
  if (!value.is_array() || value.empty()) parent.fail(where, "must be a non-empty list of [size, fraction]");
  EfficiencyCurve curve;
  for (const json& point : value) {
    if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_number())
      parent.fail(where, "each point must be [size, fraction]");
    const double size = point[0].get<double>(), fraction = point[1].get<double>();
    if (!(size > 0) || !(fraction > 0) || fraction > 1)
      parent.fail(where, "size must be positive and fraction in (0, 1]");
    if (!curve.points.empty() && size <= curve.points.back().first)
      parent.fail(where, "sizes must be ascending");
    curve.points.emplace_back(size, fraction);
  }
  return curve;
}

Tier read_tier(const Reader& parent, const std::string& key) {
  const Reader tier = parent.child(
      key, {"bytes_per_s", "latency_s", "efficiency", "devices_sharing_link", "overlap_compute_loss"});
  Tier result;
  result.bytes_per_s = tier.positive("bytes_per_s");
  result.latency_s = tier.positive("latency_s");
  result.efficiency = tier.fraction("efficiency");
  result.devices_sharing_link = tier.positive_int("devices_sharing_link");
  if (tier.object().contains("overlap_compute_loss")) {
    const json& loss = tier.get("overlap_compute_loss");
    if (!loss.is_number() || !std::isfinite(loss.get<double>()) || !(loss.get<double>() >= 0))
      tier.fail(tier.field("overlap_compute_loss"),
                "must be a number >= 0 (seconds of compute lost per second of the collective; 0: none)");
    result.overlap_compute_loss = loss.get<double>();
  }
  return result;
}

}  // namespace

double bytes_per_element(Precision precision) { return precision == Precision::kFp32 ? 4.0 : 2.0; }

Precision parse_precision(const std::string& name) {
  if (name == "fp32") return Precision::kFp32;
  if (name == "bf16") return Precision::kBf16;
  if (name == "fp16") return Precision::kFp16;
  throw std::invalid_argument("unknown precision '" + name + "' (use fp32, bf16 or fp16)");
}

double EfficiencyCurve::at(double size) const {
  if (size <= points.front().first) return points.front().second;
  if (size >= points.back().first) return points.back().second;
  for (std::size_t i = 1; i < points.size(); ++i) {
    if (size > points[i].first) continue;
    const auto [x0, y0] = points[i - 1];
    const auto [x1, y1] = points[i];
    const double t = (std::log10(size) - std::log10(x0)) / (std::log10(x1) - std::log10(x0));
    return y0 + t * (y1 - y0);
  }
  return points.back().second;
}

double Device::gemm_efficiency(double flop, double rows) const {
  if (gemm_by_rows.empty() || !(rows > 0)) return gemm.at(flop);
  EfficiencyCurve by_rows;  // at this FLOP: (rows, efficiency), interpolated as any curve
  const double square_rows = std::cbrt(flop / 2);
  for (const auto& [family_rows, curve] : gemm_by_rows)
    if (family_rows <= square_rows || by_rows.points.empty()) by_rows.points.emplace_back(family_rows, curve.at(flop));
  if (square_rows > by_rows.points.back().first) by_rows.points.emplace_back(square_rows, gemm.at(flop));
  return by_rows.at(rows);
}

HardwareCluster parse_cluster(const std::string& text, const std::string& file) {
  check_json_depth(text, file);
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw std::invalid_argument(file + ": not valid JSON: " + e.what());
  }
  const Reader root(document, file, "",
                    {"format", "version", "name", "nodes", "devices_per_node", "device", "intra_node", "inter_node",
                     "sources"});
  if (root.string("format") != "pase-cluster") root.fail("format", "must be \"pase-cluster\"");
  if (!root.get("version").is_number_integer() || root.get("version").get<int>() != 1)
    root.fail("version", "must be 1 (the only version this pase reads)");
  if (!root.get("sources").is_object()) root.fail("sources", "must be an object of strings naming each number's source");

  HardwareCluster cluster;
  cluster.name = root.string("name");
  cluster.nodes = root.positive_int("nodes");
  cluster.devices_per_node = root.positive_int("devices_per_node");

  const Reader device = root.child("device", {"name", "peak_flop_per_s", "memory_bytes", "memory_reserve_bytes",
                                              "memory_bytes_per_s", "efficiency"});
  device.string("name");
  const Reader peaks = device.child("peak_flop_per_s", {"fp32", "bf16", "fp16"});
  for (const auto& [precision, value] : peaks.object().items())
    cluster.device.peak_flop_per_s[parse_precision(precision)] = peaks.positive(precision);
  if (!peaks.object().contains("fp32")) peaks.fail(peaks.field("fp32"), "missing field");
  cluster.device.memory_bytes = device.positive("memory_bytes");
  cluster.device.memory_bytes_per_s = device.positive("memory_bytes_per_s");
  if (device.object().contains("memory_reserve_bytes")) {
    const json& reserve = device.get("memory_reserve_bytes");
    if (!reserve.is_number() || !std::isfinite(reserve.get<double>()) || reserve.get<double>() < 0 ||
        reserve.get<double>() >= cluster.device.memory_bytes)
      device.fail(device.field("memory_reserve_bytes"), "must be a number from 0 to below memory_bytes");
    cluster.device.memory_reserve_bytes = reserve.get<double>();
  }
  const Reader efficiency = device.child("efficiency", {"gemm", "convolution", "memory_bound", "gemm_by_rows"});
  cluster.device.gemm = read_curve(efficiency, "gemm");
  if (efficiency.object().contains("gemm_by_rows")) {
    const json& list = efficiency.get("gemm_by_rows");
    const std::string where = efficiency.field("gemm_by_rows");
    if (!list.is_array() || list.empty())
      efficiency.fail(where, "must be a non-empty list of {\"rows\": R, \"gemm\": [[size, fraction], ...]}");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Reader family(list[i], file, where + "[" + std::to_string(i) + "]", {"rows", "gemm"});
      const double rows = family.positive("rows");
      if (!cluster.device.gemm_by_rows.empty() && rows <= cluster.device.gemm_by_rows.back().first)
        family.fail(family.field("rows"), "rows must be ascending");
      cluster.device.gemm_by_rows.emplace_back(rows, read_curve(family, "gemm"));
    }
  }
  cluster.device.convolution = read_curve(efficiency, "convolution");
  cluster.device.memory_bound = read_curve(efficiency, "memory_bound");

  cluster.intra_node = read_tier(root, "intra_node");
  cluster.inter_node = read_tier(root, "inter_node");
  return cluster;
}

HardwareCluster load_cluster(const std::string& name_or_file) {
  for (const std::string& name : preset_names())
    if (name == name_or_file) return parse_cluster(preset_text(name), "preset " + name);
  std::ifstream in(name_or_file);
  if (!in)
    throw std::invalid_argument(name_or_file + ": neither a preset nor a readable cluster file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_cluster(text.str(), name_or_file);
}

}  // namespace pase::cluster
