// Points computed by index (SweepPoints) against the eager enumeration pase used before (an odometer
// over every model's factors that kept every point, and groups keyed by model, procs and overrides):
// the same points in the same order, the same groups, on the shipped specs and on random specs.
#include "pase/sweep/sweep_points.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "support/commands.hpp"

namespace pase {
namespace {

const std::string source = PASE_SOURCE_DIR;
const std::string data = source + "/tests/sweep/data";

// The eager enumeration as it was (src/sweep/sweep_points.cpp before points were computed by index).
void eager_apply(const SweepSpec& spec, const Axis& axis, std::size_t at, SweepPoint& point,
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

bool eager_advance(std::vector<std::size_t>& at, const std::vector<std::size_t>& sizes) {
  for (std::size_t f = at.size(); f-- > 0;) {
    if (++at[f] < sizes[f]) return true;
    at[f] = 0;
  }
  return false;
}

std::vector<SweepPoint> eager_points(const SweepSpec& spec) {
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
        for (int a : model.factors[f]) eager_apply(spec, model.axes[a], at[f], point, params);
      for (const auto& [name, value] : params) point.overrides.push_back(name + "=" + value);
      points.push_back(std::move(point));
    } while (eager_advance(at, sizes));
  }
  return points;
}

std::vector<PointGroup> eager_groups(const std::vector<SweepPoint>& points, const std::vector<std::uint64_t>& which) {
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

void expect_same_point(const SweepPoint& a, const SweepPoint& b) {
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.procs, b.procs);
  EXPECT_EQ(a.cluster.flops_tflops, b.cluster.flops_tflops);
  EXPECT_EQ(a.cluster.bw_gbytes, b.cluster.bw_gbytes);
  EXPECT_EQ(a.cluster_name, b.cluster_name);
  ASSERT_EQ(a.hardware.has_value(), b.hardware.has_value());
  if (a.hardware) {
    EXPECT_EQ(a.hardware->name, b.hardware->name);
  }
  EXPECT_EQ(a.overrides, b.overrides);
}

void expect_same_groups(const std::vector<PointGroup>& a, const std::vector<PointGroup>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t g = 0; g < a.size(); ++g) {
    EXPECT_EQ(a[g].model, b[g].model);
    EXPECT_EQ(a[g].procs, b[g].procs);
    EXPECT_EQ(a[g].overrides, b[g].overrides);
    EXPECT_EQ(a[g].points, b[g].points) << "group " << g;
  }
}

// Every point, the groups of all points and of every third point (a resumed sweep's rest), the count.
void expect_as_eager(const SweepSpec& spec) {
  const SweepPoints lazy(spec);
  const std::vector<SweepPoint> eager = eager_points(spec);
  ASSERT_EQ(lazy.size(), eager.size());
  for (std::uint64_t i = 0; i < eager.size(); ++i) {
    SCOPED_TRACE("point " + std::to_string(i));
    expect_same_point(lazy.at(i), eager[i]);
  }
  std::vector<std::uint64_t> all, some;
  for (std::uint64_t i = 0; i < eager.size(); ++i) {
    all.push_back(i);
    if (i % 3 == 1) some.push_back(i);
  }
  const std::vector<PointGroup> groups = eager_groups(eager, all);
  expect_same_groups(group_points(lazy, all), groups);
  expect_same_groups(group_points(lazy, some), eager_groups(eager, some));
  EXPECT_EQ(lazy.group_count(), groups.size());
  EXPECT_THROW(lazy.at(eager.size()), std::out_of_range);
}

TEST(SweepPointsTest, shipped_specs_give_the_eager_enumeration) {
  for (const std::string name : {"sweep-reference", "sweep-small", "sweep-memory", "sweep-gpt-hardware"}) {
    SCOPED_TRACE(name);
    const SweepSpec spec = load_sweep_spec(source + "/jobs/" + name + ".yaml");
    expect_as_eager(spec);
  }
}

// One random spec: models of mlp.json with random `set` values and own axes, global axes with repeated
// values, zips, cluster presets (catalogue and pase-cluster) or flops and bw.
std::string random_spec(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto integers = [&](int count, int base) {
    std::ostringstream list;
    list << "[";
    for (int i = 0; i < count; ++i) list << (i ? ", " : "") << base * (1 + pick(4));  // repeats likely
    return list.str() + "]";
  };
  const bool clusters = pick(3) == 0;
  const int zip = clusters ? pick(2) * 3 : pick(4);  // none; flops and bw; procs, flops and bw; batch and procs
  const int procs = 1 + pick(4), batch = zip == 3 ? procs : 1 + pick(3), flops = zip == 2 ? procs : 1 + pick(3), bw = flops;
  std::ostringstream s;
  s << "format: pase-sweep\nversion: 1\nclusters: " << data << "/clusters.json\nmodels:\n";
  const int models = 1 + pick(3);
  for (int m = 0; m < models; ++m) {
    s << "  - file: " << data << "/mlp.json\n    label: m" << m << "\n";
    if (pick(2)) s << "    set: {hidden: " << 64 * (1 + pick(4)) << (pick(2) ? ", batch: 16" : "") << "}\n";
    if (pick(2)) s << "    axes:\n      hidden: " << integers(1 + pick(3), 32) << "\n" << (pick(2) ? "      procs: [2, 6]\n" : "");
  }
  s << "axes:\n  procs: " << integers(procs, 2) << "\n  batch: " << integers(batch, 8) << "\n";
  if (clusters) s << "  cluster: [slow-node, dgx-a100, fast-node" << (pick(2) ? ", slow-node" : "") << "]\n";
  else s << "  flops: " << integers(flops, 5) << "\n  bw: " << integers(bw, 10) << "\n";
  if (zip == 1) s << "zip: [[flops, bw]]\n";
  if (zip == 2) s << "zip: [[procs, flops, bw]]\n";
  if (zip == 3) s << "zip: [[batch, procs]]\n";
  return s.str();
}

TEST(SweepPointsTest, random_specs_give_the_eager_enumeration) {
  std::mt19937 rng(16);
  test::TempDir dir;
  int loaded = 0, hardware = 0, zipped = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const std::string text = random_spec(rng), path = dir.file("spec" + std::to_string(trial) + ".yaml");
    test::write_file(path, text);
    SCOPED_TRACE(text);
    SweepSpec spec;
    try {
      spec = load_sweep_spec(path);
    } catch (const std::invalid_argument& e) {
      // A zip of a model's own procs (of 2 values) with global axes of another length.
      EXPECT_NE(std::string(e.what()).find("zipped axes need equally many values"), std::string::npos) << e.what();
      continue;
    }
    ++loaded;
    expect_as_eager(spec);
    const SweepPoints points(spec);
    for (std::uint64_t i = 0; i < points.size(); ++i) hardware += points.at(i).hardware.has_value() ? 1 : 0;
    for (const auto& model : spec.models)
      for (const auto& factor : model.factors) zipped += factor.size() > 1 ? 1 : 0;
  }
  // The random specs reach what they are meant to: pase-cluster points and zips.
  EXPECT_GE(loaded, 40);
  EXPECT_GT(hardware, 0);
  EXPECT_GT(zipped, 0);
}

// 10^8 points (the limit) are counted and grouped from the axes, never listed.
TEST(SweepPointsTest, the_largest_sweep_is_counted_without_listing_its_points) {
  test::TempDir dir;
  const std::string path = dir.file("huge.yaml");
  test::write_file(path, "format: pase-sweep\nversion: 1\nmodels:\n  - file: " + data +
                             "/mlp.json\naxes:\n  procs: {from: 1, to: 100, step: 1}\n  hidden: [64, 64, 128, 64]\n"
                             "  flops: {from: 1, to: 500, step: 1}\n  bw: {from: 1, to: 500, step: 1}\n");
  const SweepSpec spec = load_sweep_spec(path);
  const SweepPoints points(spec);
  ASSERT_EQ(points.size(), 100'000'000u);
  EXPECT_EQ(points.group_count(), 100u * 2);
  const SweepPoint last = points.at(points.size() - 1);
  EXPECT_EQ(last.procs, 100);
  EXPECT_EQ(last.cluster.flops_tflops, 500);
  EXPECT_EQ(last.cluster.bw_gbytes, 500);
  EXPECT_EQ(last.overrides, (std::vector<std::string>{"hidden=64"}));
  // hidden 64 at positions 0, 1 and 3: one group.
  EXPECT_EQ(points.group_of(0), points.group_of(250'000));
  EXPECT_EQ(points.group_of(0), points.group_of(750'000));
  EXPECT_NE(points.group_of(0), points.group_of(500'000));
  EXPECT_NE(points.group_of(0), points.group_of(1'000'000));
}

}  // namespace
}  // namespace pase
