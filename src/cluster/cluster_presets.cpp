#include "pase/cluster/cluster_presets.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "pase/json_depth.hpp"

namespace pase {

namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw std::invalid_argument(file + ": " + what);
}

const Json& member(const std::string& file, const Json& object, const std::string& key, const std::string& field) {
  if (!object.contains(key)) fail(file, "field '" + field + "." + key + "': missing");
  return object[key];
}

std::string text(const std::string& file, const Json& object, const std::string& key, const std::string& field) {
  const Json& v = member(file, object, key, field);
  if (!v.is_string()) fail(file, "field '" + field + "." + key + "': must be a string");
  return v.get<std::string>();
}

// An optional string field: `fallback` when absent.
std::string optional_text(const std::string& file, const Json& object, const std::string& key, const std::string& field,
                          const std::string& fallback) {
  if (!object.contains(key)) return fallback;
  return text(file, object, key, field);
}

double positive(const std::string& file, const Json& object, const std::string& key, const std::string& field) {
  const Json& v = member(file, object, key, field);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0)
    fail(file, "field '" + field + "." + key + "': must be a positive number");
  return v.get<double>();
}

}  // namespace

const ClusterPreset& ClusterCatalogue::find(const std::string& name) const {
  const auto it = presets.find(name);
  if (it != presets.end()) return it->second;
  std::string known;
  for (const auto& [key, preset] : presets) known += (known.empty() ? "" : ", ") + key;
  throw std::invalid_argument(file + ": no cluster preset named '" + name + "'; known presets: " + known);
}

ClusterCatalogue load_cluster_catalogue(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, "cannot open the cluster catalogue (does it exist? set --clusters or PASE_CLUSTERS)");
  std::stringstream content;
  content << in.rdbuf();
  check_json_depth(content.str(), path);
  Json doc;
  try {
    doc = Json::parse(content.str());
  } catch (const Json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    fail(path, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != "pase-clusters")
    fail(path, "field 'format': must be \"pase-clusters\"");
  if (!doc.contains("version") || doc["version"] != 1) fail(path, "field 'version': must be 1");
  const Json& devices = member(path, doc, "devices", "(top)");
  const Json& clusters = member(path, doc, "clusters", "(top)");
  if (!devices.is_object() || !clusters.is_object()) fail(path, "fields 'devices' and 'clusters' must be objects");

  ClusterCatalogue catalogue;
  catalogue.file = path;
  for (const auto& [name, entry] : clusters.items()) {
    const std::string field = "clusters." + name;
    if (!entry.is_object()) fail(path, "field '" + field + "': must be an object");
    ClusterPreset p;
    p.name = name;
    p.device = text(path, entry, "device", field);
    if (!devices.contains(p.device) || !devices[p.device].is_object())
      fail(path, "field '" + field + ".device': no device '" + p.device + "' in 'devices'");
    const Json& device = devices[p.device];
    p.product = optional_text(path, device, "product", "devices." + p.device, p.device);
    p.precision = text(path, entry, "precision", field);
    if (p.precision != "fp32" && p.precision != "fp16")
      fail(path, "field '" + field + ".precision': must be \"fp32\" or \"fp16\"");
    p.cluster.flops_tflops = positive(path, device, p.precision + "_tflops", "devices." + p.device);
    p.cluster.bw_gbytes = positive(path, entry, "bw_gbytes", field);
    p.link = optional_text(path, entry, "link", field, "");
    catalogue.presets.emplace(name, std::move(p));
  }
  if (catalogue.presets.empty()) fail(path, "field 'clusters': defines no preset");
  return catalogue;
}

std::string default_cluster_catalogue_path() {
  if (const char* env = std::getenv("PASE_CLUSTERS"); env != nullptr && *env != '\0') return env;
  if (std::filesystem::exists("jobs/clusters.json")) return "jobs/clusters.json";
  std::error_code error;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const std::filesystem::path dir = executable.parent_path();
    // Installed (bin/../share/pase), or the build folder, where CMake copies it next to the binary.
    for (const auto& candidate : {dir / "../share/pase/clusters.json", dir / "clusters.json"})
      if (std::filesystem::exists(candidate)) return candidate.lexically_normal().string();
  }
  return "jobs/clusters.json";
}

}  // namespace pase
