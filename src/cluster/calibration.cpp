#include "pase/cluster/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "pase/cluster/hardware_costs.hpp"

namespace pase::cluster {

namespace {

constexpr double kUnbounded = 1e300;  // an efficiency that makes a tier's bandwidth term vanish

bool is_collective(MeasuredKind k) { return k >= MeasuredKind::kAllReduce; }

const char* precision_name(Precision p) { return p == Precision::kFp32 ? "fp32" : p == Precision::kBf16 ? "bf16" : "fp16"; }

std::string entry_name(const Measurements& file, const Measurement& m) {
  return file.file + ": measurements[" + std::to_string(m.entry) + "]";
}

int nodes_of(const Measurements& file, const Measurement& m) { return m.inter_node ? file.nodes : 1; }

// Minimises sum ((a_i u - t_i) / t_i)^2 over u: the relative error of times linear in u.
double fit_scale(const std::vector<std::pair<double, double>>& at) {
  double num = 0, den = 0;
  for (auto [a, t] : at) {
    num += a / t;
    den += (a / t) * (a / t);
  }
  return num / den;
}

// A curve through one fitted efficiency per measured size; `rate` is the peak (FLOP/s or bytes/s).
EfficiencyCurve fit_curve(const std::vector<const Measurement*>& ms, const std::map<Precision, double>& peaks,
                          double bytes_peak) {
  std::map<double, std::vector<std::pair<double, double>>> by_size;
  for (const Measurement* m : ms) {
    const double peak = m->kind == MeasuredKind::kMemoryBound ? bytes_peak : peaks.at(m->precision);
    by_size[m->size].push_back({m->size / peak, m->median_s});
  }
  EfficiencyCurve curve;
  for (const auto& [size, at] : by_size) curve.points.push_back({size, 1.0 / fit_scale(at)});
  return curve;
}

// The time of collective `m` on `c` with the fitted tier's latency and efficiency replaced.
double with_tier(HardwareCluster c, const Measurements& file, const Measurement& m, bool inter, double latency,
                 double efficiency) {
  Tier& t = inter ? c.inter_node : c.intra_node;
  t.latency_s = latency;
  t.efficiency = efficiency;
  return predicted_s(c, file, m);
}

// Fits one tier's latency and 1/efficiency by weighted least squares (relative error): the
// predicted time is linear in both, so its coefficients come from evaluating the model.
void fit_tier(HardwareCluster& c, const Measurements& file, const std::vector<const Measurement*>& ms, bool inter,
              std::vector<std::string>& notes) {
  const char* name = inter ? "inter_node" : "intra_node";
  std::map<double, int> sizes;
  for (const Measurement* m : ms) ++sizes[m->size];
  if (sizes.size() < 2)
    throw std::invalid_argument(file.file + ": " + name + " collectives at " + std::to_string(sizes.size()) +
                                " message size(s): latency and bandwidth need at least two (use the full grid)");
  double sll = 0, slv = 0, svv = 0, sl = 0, sv = 0;
  struct Row { double cl, cv, y, w; };
  std::vector<Row> rows;
  for (const Measurement* m : ms) {
    const double f0 = with_tier(c, file, *m, inter, 0, kUnbounded);
    const double cl = with_tier(c, file, *m, inter, 1, kUnbounded) - f0;
    const double cv = with_tier(c, file, *m, inter, 0, 1) - f0;
    const double w = 1.0 / (m->median_s * m->median_s);
    rows.push_back({cl, cv, m->median_s - f0, w});
  }
  for (const Row& r : rows) {
    sll += r.w * r.cl * r.cl;
    slv += r.w * r.cl * r.cv;
    svv += r.w * r.cv * r.cv;
    sl += r.w * r.cl * r.y;
    sv += r.w * r.cv * r.y;
  }
  const double det = sll * svv - slv * slv;
  double latency = det > 0 ? (sl * svv - sv * slv) / det : 0;
  double inverse = det > 0 ? (sll * sv - slv * sl) / det : 0;
  constexpr double kFloorLatency = 1e-9;
  if (!(latency > kFloorLatency)) {
    latency = kFloorLatency;  // the fit wants none: keep a nanosecond, refit the bandwidth alone
    double num = 0, den = 0;
    for (const Row& r : rows) {
      num += r.w * r.cv * (r.y - r.cl * latency);
      den += r.w * r.cv * r.cv;
    }
    inverse = num / den;
    notes.push_back(std::string(name) + ".latency_s: the fit gave none; set to 1 ns");
  }
  Tier& tier = inter ? c.inter_node : c.intra_node;
  if (!(inverse > 0))
    throw std::invalid_argument(file.file + ": " + name + " collectives do not grow with the message size; "
                                "measure again with larger messages (the full grid)");
  double efficiency = 1.0 / inverse;
  if (efficiency > 1) {
    notes.push_back(std::string(name) + ".bytes_per_s: measured faster than the base's " +
                    std::to_string(tier.bytes_per_s) + "; raised to the measured " +
                    std::to_string(tier.bytes_per_s * efficiency) + ", efficiency 1");
    tier.bytes_per_s *= efficiency;
    efficiency = 1;
  }
  tier.latency_s = latency;
  tier.efficiency = efficiency;
}

// The loss f that best explains each overlap entry's GEMM time, compute_alone + f communication_alone,
// by least squares on the relative error; never below 0 (the collective cannot speed the GEMMs up).
void fit_overlap(HardwareCluster& c, const std::vector<const Measurement*>& ms, bool inter) {
  double num = 0, den = 0;
  for (const Measurement* m : ms) {
    const double a = m->communication_alone_s / m->median_s;
    num += a * (m->median_s - m->compute_alone_s) / m->median_s;
    den += a * a;
  }
  (inter ? c.inter_node : c.intra_node).overlap_compute_loss = std::max(0.0, num / den);
}

}  // namespace

double predicted_s(const HardwareCluster& c, const Measurements& file, const Measurement& m) {
  switch (m.kind) {
    case MeasuredKind::kGemm:
      return m.size / (c.device.peak_flop_per_s.at(m.precision) * c.device.gemm_efficiency(m.size, m.rows));
    case MeasuredKind::kConvolution:
      return m.size / (c.device.peak_flop_per_s.at(m.precision) * c.device.convolution.at(m.size));
    case MeasuredKind::kMemoryBound:
      return m.size / (c.device.memory_bytes_per_s * c.device.memory_bound.at(m.size));
    case MeasuredKind::kAllReduce:
      return all_reduce_s(c, m.size, m.group_size, nodes_of(file, m));
    case MeasuredKind::kAllGather:
    case MeasuredKind::kReduceScatter:
      // Each is half an all-reduce of the whole buffer (group_size shares of `size` bytes).
      return all_reduce_s(c, m.size * m.group_size, m.group_size, nodes_of(file, m)) / 2;
    case MeasuredKind::kOverlap:
      return m.compute_alone_s +
             (m.inter_node ? c.inter_node : c.intra_node).overlap_compute_loss * m.communication_alone_s;
  }
  return 0;
}

Calibration calibrate(const Measurements& file, const HardwareCluster& base, const std::string& base_name) {
  Calibration out{base, {}, {}};
  HardwareCluster& c = out.cluster;
  std::map<MeasuredKind, std::vector<const Measurement*>> compute;
  std::vector<const Measurement*> intra, inter, overlap_intra, overlap_inter;
  for (const Measurement& m : file.entries) {
    if (m.kind == MeasuredKind::kOverlap) {
      (m.inter_node ? overlap_inter : overlap_intra).push_back(&m);
      continue;
    }
    if (is_collective(m.kind)) {
      (m.inter_node ? inter : intra).push_back(&m);
      continue;
    }
    if (m.kind != MeasuredKind::kMemoryBound && !c.device.peak_flop_per_s.count(m.precision))
      throw std::invalid_argument(entry_name(file, m) + ".precision: " + base_name + " has no peak for " +
                                  precision_name(m.precision) + "; add device.peak_flop_per_s." +
                                  precision_name(m.precision) + " to the base cluster");
    compute[m.kind].push_back(&m);
  }
  for (MeasuredKind kind : {MeasuredKind::kGemm, MeasuredKind::kConvolution}) {
    if (!compute.count(kind)) {
      out.notes.push_back(std::string(to_string(kind)) + " efficiency: not measured, kept from " + base_name);
      continue;
    }
    // GEMMs of layers with few rows (`rows`) make their own curves; square ones the plain curve.
    std::map<double, std::vector<const Measurement*>> by_rows;
    for (const Measurement* m : compute[kind]) by_rows[m->rows].push_back(m);
    if (kind == MeasuredKind::kGemm) {
      if (by_rows.size() > (by_rows.count(0) ? 1u : 0u)) c.device.gemm_by_rows.clear();
      else if (!c.device.gemm_by_rows.empty())
        out.notes.push_back("gemm_by_rows: not measured, kept from " + base_name);
      for (const auto& [rows, ms] : by_rows)
        if (rows > 0) c.device.gemm_by_rows.emplace_back(rows, fit_curve(ms, c.device.peak_flop_per_s, 0));
      if (!by_rows.count(0))
        out.notes.push_back("gemm efficiency (square): not measured, kept from " + base_name);
    }
    if (by_rows.count(0))
      (kind == MeasuredKind::kGemm ? c.device.gemm : c.device.convolution) =
          fit_curve(by_rows[0], c.device.peak_flop_per_s, 0);
    for (const Measurement* m : compute[kind]) {
      const double rate = m->size / m->median_s;
      if (rate > c.device.peak_flop_per_s.at(m->precision))
        throw std::invalid_argument(entry_name(file, *m) + ": " + to_string(kind) + " reached " +
                                    std::to_string(rate) + " FLOP/s, above " + base_name + "'s peak of " +
                                    std::to_string(c.device.peak_flop_per_s.at(m->precision)) +
                                    "; fix device.peak_flop_per_s." + precision_name(m->precision) +
                                    " in the base cluster");
    }
  }
  if (compute.count(MeasuredKind::kMemoryBound)) {
    const auto& ms = compute[MeasuredKind::kMemoryBound];
    double fastest = 0;
    for (const Measurement* m : ms) fastest = std::max(fastest, m->size / m->median_s);
    if (fastest > c.device.memory_bytes_per_s) {
      out.notes.push_back("device.memory_bytes_per_s: measured " + std::to_string(fastest) + " (caches), above " +
                          base_name + "'s " + std::to_string(c.device.memory_bytes_per_s) + "; raised to it");
      c.device.memory_bytes_per_s = fastest;
    }
    c.device.memory_bound = fit_curve(ms, {}, c.device.memory_bytes_per_s);
  } else {
    out.notes.push_back("memory_bound efficiency: not measured, kept from " + base_name);
  }
  // The inter-node model's time includes the intra-node part: fit inside the node first.
  if (!intra.empty()) fit_tier(c, file, intra, false, out.notes);
  else out.notes.push_back("intra_node: not measured, kept from " + base_name);
  if (!inter.empty()) fit_tier(c, file, inter, true, out.notes);
  else out.notes.push_back("inter_node: not measured, kept from " + base_name);
  if (!overlap_intra.empty()) fit_overlap(c, overlap_intra, false);
  else out.notes.push_back("intra_node.overlap_compute_loss: not measured, kept from " + base_name);
  if (!overlap_inter.empty()) fit_overlap(c, overlap_inter, true);
  else out.notes.push_back("inter_node.overlap_compute_loss: not measured, kept from " + base_name);

  std::vector<EfficiencyCurve*> curves{&c.device.gemm, &c.device.convolution, &c.device.memory_bound};
  for (auto& [rows, curve] : c.device.gemm_by_rows) curves.push_back(&curve);
  for (EfficiencyCurve* curve : curves)
    for (auto& [size, fraction] : curve->points) fraction = std::min(1.0, fraction);

  std::map<std::string, FitError> errors;
  std::vector<std::string> order;
  for (const Measurement& m : file.entries) {
    std::string kind = std::string(to_string(m.kind)) + (is_collective(m.kind) ? (m.inter_node ? " inter_node" : " intra_node") : "");
    if (m.rows > 0) kind += " rows=" + std::to_string(static_cast<long long>(m.rows));
    if (!errors.count(kind)) order.push_back(kind);
    FitError& e = errors[kind];
    e.kind = kind;
    const double r = predicted_s(c, file, m) / m.median_s - 1;
    ++e.count;
    e.rms_relative += r * r;
    e.max_relative = std::max(e.max_relative, std::abs(r));
  }
  for (const std::string& k : order) {
    FitError e = errors[k];
    e.rms_relative = std::sqrt(e.rms_relative / e.count);
    out.errors.push_back(e);
  }
  return out;
}

std::string cluster_file_text(const HardwareCluster& c, const std::string& device_name,
                              const std::vector<std::pair<std::string, std::string>>& sources) {
  using Json = nlohmann::ordered_json;
  auto curve = [](const EfficiencyCurve& e) {
    Json points = Json::array();
    for (auto [size, fraction] : e.points) points.push_back({size, fraction});
    return points;
  };
  auto tier = [](const Tier& t) {
    Json j{{"bytes_per_s", t.bytes_per_s}, {"latency_s", t.latency_s}, {"efficiency", t.efficiency},
           {"devices_sharing_link", t.devices_sharing_link}};
    if (t.overlap_compute_loss > 0) j["overlap_compute_loss"] = t.overlap_compute_loss;
    return j;
  };
  Json peaks = Json::object();
  for (auto [p, v] : c.device.peak_flop_per_s) peaks[precision_name(p)] = v;
  Json efficiency = {{"gemm", curve(c.device.gemm)},
                     {"convolution", curve(c.device.convolution)},
                     {"memory_bound", curve(c.device.memory_bound)}};
  if (!c.device.gemm_by_rows.empty()) {
    Json families = Json::array();
    for (const auto& [rows, e] : c.device.gemm_by_rows) families.push_back({{"rows", rows}, {"gemm", curve(e)}});
    efficiency["gemm_by_rows"] = families;
  }
  Json src = Json::object();
  for (const auto& [k, v] : sources) src[k] = v;
  const Json doc = {
      {"format", "pase-cluster"},
      {"version", 1},
      {"name", c.name},
      {"nodes", c.nodes},
      {"devices_per_node", c.devices_per_node},
      {"device",
       {{"name", device_name},
        {"peak_flop_per_s", peaks},
        {"memory_bytes", c.device.memory_bytes},
        {"memory_reserve_bytes", c.device.memory_reserve_bytes},
        {"memory_bytes_per_s", c.device.memory_bytes_per_s},
        {"efficiency",
         efficiency}}},
      {"intra_node", tier(c.intra_node)},
      {"inter_node", tier(c.inter_node)},
      {"sources", src},
  };
  return doc.dump(1) + "\n";
}

}  // namespace pase::cluster
