#include "pase/sweep/sweep_points.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <unordered_map>

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

}  // namespace

SweepPoints::SweepPoints(const SweepSpec& spec) : spec_(&spec), first_{0}, group_first_{0} {
  for (const SpecModel& model : spec.models) {
    std::vector<Factor> factors(model.factors.size());
    std::uint64_t points = 1, groups = 1;
    for (std::size_t f = factors.size(); f-- > 0;) {
      Factor& factor = factors[f];
      factor.size = model.axes[model.factors[f][0]].size();
      factor.stride = points;
      points *= factor.size;
      std::vector<const Axis*> keyed;  // the axes that change the group
      for (int a : model.factors[f])
        if (model.axes[a].kind == AxisKind::procs || model.axes[a].kind == AxisKind::param) keyed.push_back(&model.axes[a]);
      if (keyed.empty()) continue;
      // Positions sorted by their values, then one class per run of equal values.
      auto values_less = [&](std::uint32_t x, std::uint32_t y) {
        for (const Axis* axis : keyed)
          if (axis->integers[x] != axis->integers[y]) return axis->integers[x] < axis->integers[y];
        return false;
      };
      std::vector<std::uint32_t> order(factor.size);
      for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
      std::sort(order.begin(), order.end(), values_less);
      factor.class_of.resize(factor.size);
      std::uint32_t classes = 0;
      for (std::size_t k = 0; k < order.size(); ++k) {
        if (k > 0 && values_less(order[k - 1], order[k])) ++classes;
        factor.class_of[order[k]] = classes;
      }
      factor.group_stride = groups;
      groups *= classes + 1;
    }
    first_.push_back(first_.back() + points);
    group_first_.push_back(group_first_.back() + groups);
    factors_.push_back(std::move(factors));
  }
}

int SweepPoints::model_of(std::uint64_t index) const {
  if (index >= size())
    throw std::out_of_range("point " + std::to_string(index) + " is not a point of the sweep (it has " +
                            std::to_string(size()) + ")");
  return static_cast<int>(std::upper_bound(first_.begin(), first_.end(), index) - first_.begin()) - 1;
}

SweepPoint SweepPoints::at(std::uint64_t index) const {
  const int m = model_of(index);
  const SpecModel& model = spec_->models[m];
  SweepPoint point;
  point.index = index;
  point.model = m;
  std::map<std::string, std::string> params;
  for (const auto& o : model.overrides) params[o.substr(0, o.find('='))] = o.substr(o.find('=') + 1);
  const std::uint64_t local = index - first_[m];
  for (std::size_t f = 0; f < model.factors.size(); ++f) {
    const Factor& factor = factors_[m][f];
    for (int a : model.factors[f]) apply(*spec_, model.axes[a], (local / factor.stride) % factor.size, point, params);
  }
  for (const auto& [name, value] : params) point.overrides.push_back(name + "=" + value);
  return point;
}

std::uint64_t SweepPoints::group_of(std::uint64_t index) const {
  const int m = model_of(index);
  const std::uint64_t local = index - first_[m];
  std::uint64_t group = group_first_[m];
  for (const Factor& factor : factors_[m])
    if (!factor.class_of.empty()) group += factor.class_of[(local / factor.stride) % factor.size] * factor.group_stride;
  return group;
}

std::vector<PointGroup> group_points(const SweepPoints& points, const std::vector<std::uint64_t>& which) {
  std::unordered_map<std::uint64_t, std::size_t> index;  // group number -> position in `groups`
  std::vector<PointGroup> groups;
  for (const std::uint64_t i : which) {
    const auto [it, fresh] = index.try_emplace(points.group_of(i), groups.size());
    if (fresh) {
      SweepPoint p = points.at(i);
      groups.push_back({p.model, p.procs, std::move(p.overrides), {}});
    }
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
