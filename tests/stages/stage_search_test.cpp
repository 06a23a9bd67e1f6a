#include "pase/stages/stage_search.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <tuple>

namespace pase {
namespace {

// A random price for every (range, devices, m): small integers so that sums are exact and ties occur,
// some stages that do not run, memory that sometimes does not fit.
struct RandomPrices {
  std::map<std::tuple<int, int, int, long, int>, StageCost> table;
  std::vector<std::string> signatures;  // layers with the same signature get the same price per range shape
  int calls = 0;

  RandomPrices(int layers, const std::vector<int>& devices, const std::vector<long>& ms, int strategies, std::mt19937& rng,
               bool repeat_layers) {
    std::uniform_int_distribution<int> time(1, 6), bytes(0, 5), fails(0, 9);
    for (int v = 0; v < layers; ++v) signatures.push_back(repeat_layers ? std::string(v % 2 ? "a" : "b") : std::to_string(v));
    std::map<std::tuple<std::string, int, long, int>, StageCost> by_shape;
    for (int i = 0; i < layers; ++i)
      for (int j = i; j < layers; ++j) {
        std::string shape;
        for (int v = i; v <= j; ++v) shape += signatures[v];
        for (int a : devices)
          for (long m : ms)
            for (int strategy = 0; strategy < strategies; ++strategy) {
            auto [it, fresh] = by_shape.try_emplace({shape, a, m, strategy});
            if (fresh) {
              it->second.microbatch_time_s = time(rng);
              // Some stages send slower across nodes.
              if (fails(rng) < 5) it->second.crossing_time_s = it->second.microbatch_time_s + time(rng) / 2;
              it->second.static_bytes_per_device = bytes(rng);
              it->second.activation_bytes_per_microbatch = bytes(rng);
              it->second.runs = fails(rng) != 0;
            }
            table[{i, j, a, m, strategy}] = it->second;
          }
      }
    salt = static_cast<unsigned>(rng());
  }

  // Whether a stage at (first device, devices) sends across nodes: random, fixed per seed.
  unsigned salt = 0;
  bool crossing(int first_device, int devices) const {
    return (static_cast<unsigned>(first_device) * 2654435761u + static_cast<unsigned>(devices) * 40503u + salt) % 5 < 2;
  }
  std::function<bool(int, int)> crosses() const {
    return [this](int first_device, int devices) { return crossing(first_device, devices); };
  }

  StageCostFunction function() {
    return [this](int first, int last, int devices, long m, int strategy) {
      ++calls;
      return table.at({first, last, devices, m, strategy});
    };
  }
};

// Every cut of the layers, every device count per stage summing to the total, every m.
double brute_force(const StageSearchInput& in, const RandomPrices& prices) {
  double best = std::numeric_limits<double>::infinity();
  std::vector<std::tuple<int, int, int, int>> stages;
  std::function<void(int, int, long)> extend = [&](int first, int devices_left, long m) {
    if (first == in.layers) {
      if (devices_left != 0) return;
      const PipelineSchedule schedule{static_cast<int>(stages.size()), m, 1};
      std::vector<double> times;
      int first_device = 0;
      for (std::size_t s = 0; s < stages.size(); ++s) {
        const auto [i, j, a, strategy] = stages[s];
        const StageCost& c = prices.table.at({i, j, a, m, strategy});
        if (!c.runs) return;
        if (in.capacity_bytes > 0 && stage_memory_bytes(c, schedule, static_cast<int>(s)) > in.capacity_bytes) return;
        const bool crosses = in.send_crosses_nodes && prices.crossing(first_device, a);
        times.push_back(crosses && c.crossing_time_s >= 0 ? c.crossing_time_s : c.microbatch_time_s);
        first_device += a;
      }
      best = std::min(best, pipeline_time_s(times, schedule));
      return;
    }
    for (int last = first; last < in.layers; ++last)
      for (int a : in.stage_devices)
        for (int strategy = 0; strategy < in.strategies; ++strategy) {
          if (a > devices_left) continue;
          stages.emplace_back(first, last, a, strategy);
          extend(last + 1, devices_left - a, m);
          stages.pop_back();
        }
  };
  for (long m : in.microbatches) extend(0, in.devices, m);
  return best;
}

TEST(StageSearch, DeviceCountsAreNodeSplitsAndWholeNodes) {
  EXPECT_EQ(stage_device_counts(32, 8), (std::vector<int>{1, 2, 4, 8, 16, 24, 32}));
  EXPECT_EQ(stage_device_counts(4, 8), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(stage_device_counts(12, 6), (std::vector<int>{1, 2, 6, 12}));  // 4 does not divide a node of 6
}

TEST(StageSearch, EqualsBruteForceOnRandomChains) {
  int compared = 0, infeasible = 0;
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    StageSearchInput in;
    in.layers = std::uniform_int_distribution<int>(1, 6)(rng);
    const int node = std::uniform_int_distribution<int>(0, 1)(rng) ? 2 : 4;
    in.devices = std::uniform_int_distribution<int>(1, 8)(rng);
    in.stage_devices = stage_device_counts(in.devices, node);
    if (seed % 5 == 0) {  // one stage device count (the devices left fix how many stages follow)
      const int a = std::uniform_int_distribution<int>(1, 2)(rng);
      in.stage_devices = {a};
      in.devices = a * std::uniform_int_distribution<int>(1, 4)(rng);
    }
    in.microbatches = seed % 3 == 0 ? std::vector<long>{1} : std::vector<long>{1, 2, 3, 5};
    in.capacity_bytes = seed % 4 == 0 ? 0.0 : std::uniform_int_distribution<int>(4, 14)(rng);
    in.strategies = seed % 7 < 3 ? 2 : 1;
    RandomPrices prices(in.layers, in.stage_devices, in.microbatches, in.strategies, rng, seed % 2 == 0);
    in.signatures = prices.signatures;
    if (seed % 3 != 1) in.send_crosses_nodes = prices.crosses();
    const double expected = brute_force(in, prices);
    const StageSearchResult found = search_stages(in, prices.function());
    EXPECT_EQ(found.cost_evaluations, static_cast<std::uint64_t>(prices.calls)) << "seed " << seed;
    if (expected == std::numeric_limits<double>::infinity()) {
      ++infeasible;
      EXPECT_FALSE(found.plan) << "seed " << seed;
      EXPECT_FALSE(found.nothing_fits.empty());
      continue;
    }
    ++compared;
    ASSERT_TRUE(found.plan) << "seed " << seed;
    ASSERT_EQ(found.stage_strategies.size(), found.plan->stages.size());
    EXPECT_EQ(found.plan->pipeline_time_s, expected) << "seed " << seed;
    // The plan is what it says: contiguous, every layer once, the devices summed, every stage fits.
    int next = 0, devices = 0;
    std::vector<double> times;
    int first_device = 0;
    for (std::size_t s = 0; s < found.plan->stages.size(); ++s) {
      const StagePlan& stage = found.plan->stages[s];
      EXPECT_EQ(stage.first_layer, next);
      next = stage.last_layer + 1;
      devices += stage.devices;
      const StageCost& c = prices.table.at({stage.first_layer, stage.last_layer, stage.devices,
                                            found.plan->schedule.microbatches, found.stage_strategies[s]});
      EXPECT_TRUE(c.runs);
      EXPECT_EQ(stage.memory_bytes_per_device, stage_memory_bytes(c, found.plan->schedule, static_cast<int>(s)));
      if (in.capacity_bytes > 0) {
        EXPECT_LE(stage.memory_bytes_per_device, in.capacity_bytes);
      }
      const bool crosses = in.send_crosses_nodes && prices.crossing(first_device, stage.devices);
      EXPECT_EQ(stage.send_crosses_nodes, crosses);
      times.push_back(crosses && c.crossing_time_s >= 0 ? c.crossing_time_s : c.microbatch_time_s);
      first_device += stage.devices;
    }
    EXPECT_EQ(next, in.layers);
    EXPECT_EQ(devices, in.devices);
    EXPECT_EQ(found.plan->schedule.stages, static_cast<int>(found.plan->stages.size()));
    EXPECT_EQ(pipeline_time_s(times, found.plan->schedule), expected);
  }
  // The seeds exercise both outcomes.
  EXPECT_GT(compared, 150);
  EXPECT_GT(infeasible, 5);
}

TEST(StageSearch, RepeatedLayersShareStagePrices) {
  // 12 layers of one kind: a range's price depends only on its length, so at most 12 lengths x 3
  // device counts x 2 micro-batch counts calls, not 78 ranges x 6.
  StageSearchInput in;
  in.layers = 12;
  in.devices = 8;
  in.stage_devices = {2, 4, 8};
  in.microbatches = {1, 4};
  in.signatures.assign(12, "block");
  int calls = 0;
  const StageSearchResult found = search_stages(in, [&](int first, int last, int devices, long m, int) {
    ++calls;
    StageCost c;
    c.microbatch_time_s = (last - first + 1) * 1.0 / devices / static_cast<double>(m) + 0.01;
    return c;
  });
  EXPECT_EQ(found.cost_evaluations, static_cast<std::uint64_t>(calls));
  EXPECT_LE(calls, 12 * 3 * 2);
  ASSERT_TRUE(found.plan);
  EXPECT_GT(found.cost_lookups, found.cost_evaluations);
}

TEST(StageSearch, MemoryForcesMoreStages) {
  // 4 layers, each 1 s and 10 bytes of weights on one device, 0.75 s on two; 2 devices; 25 bytes.
  StageSearchInput in;
  in.layers = 4;
  in.devices = 2;
  in.stage_devices = {1, 2};
  in.microbatches = {4};
  in.capacity_bytes = 25;
  auto cost = [](int first, int last, int devices, long, int) {
    StageCost c;
    const int n = last - first + 1;
    c.microbatch_time_s = n * (devices == 2 ? 0.75 : 1.0);  // two devices: 1.5x faster, not 2x
    c.static_bytes_per_device = 10.0 * n / devices;
    c.activation_bytes_per_microbatch = 1;
    return c;
  };
  const StageSearchResult found = search_stages(in, cost);
  ASSERT_TRUE(found.plan);
  // One stage: 4 x 3 s = 12 s, 20 + 4 bytes. Two stages of 2 layers on 1 device: 20 bytes + 2 or 1
  // in flight: 22 bytes, fits; 2 + 2 + 3 x 2 = 10 s.
  EXPECT_EQ(found.plan->stages.size(), 2u);
  EXPECT_DOUBLE_EQ(found.plan->pipeline_time_s, 10.0);
  EXPECT_DOUBLE_EQ(found.plan->stages[0].memory_bytes_per_device, 22.0);
  EXPECT_DOUBLE_EQ(found.plan->stages[1].memory_bytes_per_device, 21.0);
  // 20.5 bytes: 2 + 2 layers' first stage holds 2 micro-batches (22 bytes), one stage on 2 devices
  // 21, any other cut puts 3 layers (30 bytes) on one device.
  in.capacity_bytes = 20.5;
  const StageSearchResult none = search_stages(in, cost);
  EXPECT_FALSE(none.plan);
  EXPECT_NE(none.nothing_fits.find("fits"), std::string::npos);
}

}  // namespace
}  // namespace pase
