#include "pase/sweep/sweep_points.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace pase {

namespace {

// Applies value `at` of `axis` to the point.
void apply(const SweepSpec& spec, const Axis& axis, std::size_t at, SweepPoint& point,
           std::map<std::string, std::string>& params) {
  switch (axis.kind) {
    case AxisKind::procs: point.procs = axis.integers[at]; break;
    case AxisKind::flops: point.cluster.flops_tflops = axis.numbers[at]; break;
    case AxisKind::bw: point.cluster.bw_gbytes = axis.numbers[at]; break;
    case AxisKind::cluster:
      point.cluster_name = axis.names[at];
      if (const auto hw = spec.hardware_clusters.find(axis.names[at]); hw != spec.hardware_clusters.end()) {
        point.hardware = hw->second;
        point.cluster = Cluster{};
      } else {
        point.hardware.reset();
        point.cluster = spec.catalogue->find(axis.names[at]).cluster;
      }
      break;
    case AxisKind::param: params[axis.name] = std::to_string(axis.integers[at]); break;
  }
}

// The odometer: the last factor varies fastest; false after the last combination.
bool advance(std::vector<std::size_t>& at, const std::vector<std::size_t>& sizes) {
  for (std::size_t f = at.size(); f-- > 0;) {
    if (++at[f] < sizes[f]) return true;
    at[f] = 0;
  }
  return false;
}

}  // namespace

std::vector<SweepPoint> enumerate_points(const SweepSpec& spec) {
  std::vector<SweepPoint> points;
  for (std::size_t m = 0; m < spec.models.size(); ++m) {
    const SpecModel& model = spec.models[m];
    std::map<std::string, std::string> fixed;
    for (const auto& o : model.overrides) fixed[o.substr(0, o.find('='))] = o.substr(o.find('=') + 1);
    std::vector<std::size_t> at(model.factors.size(), 0), sizes;
    for (const auto& factor : model.factors) sizes.push_back(model.axes[factor[0]].size());
    do {
      SweepPoint point;
      point.index = points.size();
      point.model = static_cast<int>(m);
      auto params = fixed;
      for (std::size_t f = 0; f < model.factors.size(); ++f)
        for (int a : model.factors[f]) apply(spec, model.axes[a], at[f], point, params);
      for (const auto& [name, value] : params) point.overrides.push_back(name + "=" + value);
      points.push_back(std::move(point));
    } while (advance(at, sizes));
  }
  return points;
}

std::vector<PointGroup> group_points(const std::vector<SweepPoint>& points, const std::vector<std::uint64_t>& which) {
  std::map<std::tuple<int, std::int64_t, std::vector<std::string>>, std::size_t> index;
  std::vector<PointGroup> groups;
  for (const std::uint64_t i : which) {
    const SweepPoint& p = points[i];
    const auto [it, fresh] = index.try_emplace({p.model, p.procs, p.overrides}, groups.size());
    if (fresh) groups.push_back({p.model, p.procs, p.overrides, {}});
    groups[it->second].points.push_back(i);
  }
  for (auto& g : groups) std::sort(g.points.begin(), g.points.end());
  std::stable_sort(groups.begin(), groups.end(), [](const PointGroup& a, const PointGroup& b) {
    if (a.procs != b.procs) return a.procs > b.procs;
    return a.points.front() < b.points.front();
  });
  return groups;
}

SearchSettings search_settings(const SweepSpec& spec, const SweepPoint& point,
                               std::optional<std::uint64_t> max_memory_bytes) {
  SearchRequest request;
  request.model_file = spec.models[point.model].file;
  request.overrides = point.overrides;
  request.procs = point.procs;
  request.cluster = point.cluster;
  request.hardware = point.hardware;
  request.precision = spec.precision;
  request.parallel_edges = spec.parallel_edges;
  request.order = spec.order;
  request.prune = spec.prune;
  request.blocks = spec.blocks;
  request.stages = spec.stages;
  request.max_memory_bytes = max_memory_bytes ? max_memory_bytes : spec.max_memory_bytes;
  // As pase search (cli/options.cpp): a pase-cluster's capacity and reserve, which
  // search.memory_per_device replaces; without a pase-cluster only search.memory_per_device.
  if (point.hardware) {
    request.device_memory.capacity_bytes = point.hardware->device.memory_bytes;
    request.device_memory.reserve_bytes = point.hardware->device.memory_reserve_bytes;
  }
  if (spec.memory_per_device_bytes) request.device_memory.capacity_bytes = *spec.memory_per_device_bytes;
  request.device_memory.recipe = spec.recipe;
  return build_settings(request);
}

}  // namespace pase
