#include "pase/cluster/measurements.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace pase::cluster {

namespace {

using json = nlohmann::json;

struct Entry {
  const json& value;
  const std::string& file;
  std::string where;

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw std::invalid_argument(file + ": " + where + "." + field + ": " + problem);
  }
  const json& get(const std::string& field) const {
    if (!value.contains(field)) fail(field, "missing field");
    return value.at(field);
  }
  double positive(const std::string& field) const {
    const json& v = get(field);
    if (!v.is_number() || !(v.get<double>() > 0)) fail(field, "must be a positive number");
    return v.get<double>();
  }
  std::string text(const std::string& field) const {
    const json& v = get(field);
    if (!v.is_string()) fail(field, "must be a string");
    return v.get<std::string>();
  }
};

MeasuredKind kind_of(const Entry& e) {
  const std::string kind = e.text("kind");
  if (kind == "gemm") return MeasuredKind::kGemm;
  if (kind == "convolution") return MeasuredKind::kConvolution;
  if (kind == "memory_bound") return MeasuredKind::kMemoryBound;
  if (kind != "collective" && kind != "overlap")
    e.fail("kind", "unknown kind '" + kind + "' (gemm, convolution, memory_bound, collective, overlap)");
  const std::string op = e.text("op");
  if (kind == "overlap") {
    if (op != "all_reduce") e.fail("op", "an overlap entry times an all_reduce behind GEMMs, not '" + op + "'");
    return MeasuredKind::kOverlap;
  }
  if (op == "all_reduce") return MeasuredKind::kAllReduce;
  if (op == "all_gather") return MeasuredKind::kAllGather;
  if (op == "reduce_scatter") return MeasuredKind::kReduceScatter;
  e.fail("op", "unknown collective '" + op + "' (all_reduce, all_gather, reduce_scatter)");
}

int count(const json& doc, const std::string& file, const std::string& field) {
  if (!doc.contains(field) || !doc.at(field).is_number_integer() || doc.at(field).get<long long>() < 1)
    throw std::invalid_argument(file + ": " + field + ": must be a positive integer");
  return doc.at(field).get<int>();
}

}  // namespace

const char* to_string(MeasuredKind kind) {
  switch (kind) {
    case MeasuredKind::kGemm: return "gemm";
    case MeasuredKind::kConvolution: return "convolution";
    case MeasuredKind::kMemoryBound: return "memory_bound";
    case MeasuredKind::kAllReduce: return "all_reduce";
    case MeasuredKind::kAllGather: return "all_gather";
    case MeasuredKind::kReduceScatter: return "reduce_scatter";
    case MeasuredKind::kOverlap: return "overlap";
  }
  return "?";
}

Measurements parse_measurements(const std::string& text, const std::string& file) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error&) {
    throw std::invalid_argument(file + ": not valid JSON (a pase-measurements file from pase_profile.py is)");
  }
  if (!doc.is_object() || doc.value("format", json()) != "pase-measurements")
    throw std::invalid_argument(file + ": format: must be \"pase-measurements\" (write it with pase_profile.py)");
  if (doc.value("version", json()) != 1)
    throw std::invalid_argument(file + ": version: must be 1 (the only version this pase reads)");
  Measurements m;
  m.file = file;
  m.processes = count(doc, file, "processes");
  m.processes_per_node = count(doc, file, "processes_per_node");
  m.nodes = count(doc, file, "nodes");
  for (const char* field : {"host", "written", "torch", "device"})
    if (doc.contains(field) && doc.at(field).is_string())
      (field[0] == 'h' ? m.host : field[0] == 'w' ? m.written : field[0] == 't' ? m.torch : m.device) =
          doc.at(field).get<std::string>();
  if (!doc.contains("measurements") || !doc.at("measurements").is_array())
    throw std::invalid_argument(file + ": measurements: must be a list");
  const json& list = doc.at("measurements");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Entry e{list[i], file, "measurements[" + std::to_string(i) + "]"};
    if (!e.value.is_object()) throw std::invalid_argument(file + ": " + e.where + ": must be an object");
    Measurement r;
    r.entry = static_cast<int>(i);
    r.kind = kind_of(e);
    if (e.value.contains("skipped")) {
      ++m.skipped;
      continue;
    }
    const bool collective = r.kind >= MeasuredKind::kAllReduce;  // overlap entries too: a tier and a group
    if (collective) {
      const std::string tier = e.text("tier");
      if (tier != "intra_node" && tier != "inter_node") e.fail("tier", "must be intra_node or inter_node");
      r.inter_node = tier == "inter_node";
      const json& g = e.get("group_size");
      if (!g.is_number_integer() || g.get<long long>() < 2 || g.get<long long>() > m.processes)
        e.fail("group_size", "must be an integer from 2 to the file's processes");
      r.group_size = g.get<int>();
      r.size = e.positive("bytes");
      if (r.kind == MeasuredKind::kOverlap) {
        r.compute_alone_s = e.positive("compute_alone_s");
        r.communication_alone_s = e.positive("communication_alone_s");
      }
    } else {
      try {
        r.precision = parse_precision(e.text("precision"));
      } catch (const std::invalid_argument& ex) {
        e.fail("precision", ex.what());
      }
      r.size = e.positive(r.kind == MeasuredKind::kMemoryBound ? "bytes" : "flop");
      if (r.kind == MeasuredKind::kGemm && e.value.contains("rows")) {
        const json& rows = e.get("rows");
        if (!rows.is_number_integer() || rows.get<long long>() < 1) e.fail("rows", "must be a positive integer");
        r.rows = rows.get<double>();
      }
    }
    r.median_s = e.positive("median_s");
    const double lo = e.positive("min_s"), hi = e.positive("max_s");
    if (lo > r.median_s || r.median_s > hi) e.fail("median_s", "must lie between min_s and max_s");
    m.entries.push_back(r);
  }
  return m;
}

Measurements read_measurements(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot read the measurements file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_measurements(text.str(), path);
}

}  // namespace pase::cluster
