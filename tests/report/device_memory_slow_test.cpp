// The capacity search on real models, which takes seconds: its multipliers' problems go through the
// pipeline (solve_problem) and give the answers of the hand-written prune -> plan -> solve it used
// before, bit for bit.
#include <gtest/gtest.h>

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/pipeline/search_pipeline.hpp"
#include "pase/report/device_memory.hpp"

namespace pase {
namespace {

SearchSettings gpt_on_a100(double capacity_bytes, PruneMode prune) {
  const cluster::HardwareCluster c = cluster::load_cluster("dgx-a100");
  SearchSettings s;
  s.model_file = std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json";
  s.problem.procs = 8;
  s.problem.hardware.emplace(c, cluster::Precision::kBf16);
  s.device_memory = {capacity_bytes, c.device.memory_reserve_bytes, training_recipe("adam", "mixed")};
  s.prune = prune;
  return s;
}

// The capacity search as it was before the pipeline took it over: each multiplier's problem pruned
// (when the unconstrained one was), planned in the settings' order and solved, on one process.
CapacitySolution search_by_hand(const SearchSettings& settings, const SearchRun& run) {
  const ModelMemory bytes = model_memory(run.network, run.model, settings.problem, settings.device_memory.recipe,
                                         settings.device_memory.reserve_bytes);
  bool first = true;
  SingleProcess single;
  const ExactSolver solver = [&](const Problem& relaxed) {
    if (first) {
      first = false;
      return run.solution;
    }
    PrunedProblem reduced = should_prune(settings.prune, run.unpruned_dp_cells)
                                ? prune_dominated(relaxed, settings.dp.threads)
                                : unpruned(relaxed);
    const PlannedOrder planned = plan_in_order(reduced.problem, settings.order);
    Solution s = solve(reduced.problem, planned.plan, settings.dp, single);
    if (reduced.pruned_any()) s.configs = reduced.expand(s.configs);
    return s;
  };
  return solve_within_capacity(run.model.problem, memory_constraint(bytes, settings.device_memory.capacity_bytes),
                               solver);
}

class CapacityThroughPipelineTest : public ::testing::TestWithParam<PruneMode> {};

// 6 GB a device: data parallelism (8.2 GB) does not fit, the unconstrained optimum neither, so the
// multipliers' DPs run (README.md, "Device memory").
TEST_P(CapacityThroughPipelineTest, gives_the_answers_of_the_hand_written_search) {
  const SearchSettings s = gpt_on_a100(6.0 * (1 << 30), GetParam());
  const SearchRun run = run_search(s);
  SingleProcess single;
  const DeviceMemoryResult piped = search_within_capacity(s, run, single);
  const CapacitySolution by_hand = search_by_hand(s, run);
  ASSERT_TRUE(by_hand.feasible);
  ASSERT_FALSE(by_hand.unconstrained_fits);
  EXPECT_GT(by_hand.dp_solves, 2);
  EXPECT_EQ(piped.feasible, by_hand.feasible);
  EXPECT_EQ(piped.configs, by_hand.configs);
  EXPECT_EQ(piped.recompute, by_hand.recompute);
  EXPECT_EQ(piped.cost, by_hand.cost);
  EXPECT_EQ(piped.lower_bound, by_hand.lower_bound);
  EXPECT_EQ(piped.smallest_peak_bytes, by_hand.smallest_peak_bytes);
  EXPECT_EQ(piped.dp_solves, by_hand.dp_solves);
  EXPECT_LE(piped.memory.total(), s.device_memory.capacity_bytes);
}

INSTANTIATE_TEST_SUITE_P(Prune, CapacityThroughPipelineTest,
                         ::testing::Values(PruneMode::automatic, PruneMode::always, PruneMode::never));

// The claims of README.md's device-memory table that follow from physics, not from pase's choices:
// mixed-precision Adam holds 16 bytes a parameter (ZeRO, Rajbhandari et al. 2020), so data
// parallelism of a 6.7e9- or 1.7e11-parameter model never fits 80 GB; no strategy can spread those
// bytes over more than its devices, so every footprint is at least reserve + 16 N / p; and what the
// capacity search recommends fits, with a bound no higher than its cost. Searched where it is cheap
// (up to 32 devices; the table itself runs jobs/memory-table.sh).
struct TableCase {
  std::string model;
  double parameters;  // published counts: Llama-2-7B exactly; GPT-3 175B at least (the preset pads its vocabulary)
  std::int64_t procs;
};

class DeviceMemoryTableTest : public ::testing::TestWithParam<TableCase> {};

TEST_P(DeviceMemoryTableTest, claims_that_follow_from_the_bytes_a_parameter_holds) {
  const TableCase c = GetParam();
  const cluster::HardwareCluster a100 = cluster::load_cluster("dgx-a100");
  SearchSettings s = gpt_on_a100(a100.device.memory_bytes, PruneMode::automatic);
  s.model_file = std::string(PASE_SOURCE_DIR) + "/inputs/" + c.model + ".json";
  s.overrides = {"batch=8"};
  s.problem.procs = c.procs;
  s.blocks = BlockMode::automatic;
  const SearchRun run = run_search(s);
  SingleProcess single;
  const DeviceMemoryResult r = search_within_capacity(s, run, single);
  const double capacity = a100.device.memory_bytes, reserve = a100.device.memory_reserve_bytes;
  const double states = 16.0 * c.parameters, per_device = states / static_cast<double>(c.procs);
  const Baseline& dp = r.baselines.at(0);
  const Baseline& fsdp = r.baselines.at(1);
  ASSERT_EQ(dp.name, "data_parallel");
  EXPECT_GE(dp.memory.weights + dp.memory.gradients + dp.memory.optimizer, states * (1 - 1e-9));
  EXPECT_FALSE(dp.fits);
  EXPECT_GT(dp.memory.total(), capacity);
  EXPECT_GE(fsdp.memory.weights + fsdp.memory.gradients + fsdp.memory.optimizer, per_device * (1 - 1e-9));
  EXPECT_GE(r.smallest_peak_bytes, reserve + per_device * (1 - 1e-9));
  EXPECT_EQ(r.feasible, r.smallest_peak_bytes <= capacity);
  if (reserve + per_device > capacity) {
    EXPECT_FALSE(r.feasible);
  }
  if (!r.feasible) return;
  EXPECT_LE(r.memory.total(), capacity);
  EXPECT_GE(r.memory.total(), r.smallest_peak_bytes);
  EXPECT_LE(r.lower_bound, r.cost);
  EXPECT_GE(r.relative_gap(), 0.0);
  EXPECT_LT(r.relative_gap(), 1.0);
  EXPECT_EQ(r.unconstrained_fits, r.relative_gap() == 0.0 && r.dp_solves == 1);
  // The recommended strategy is never cheaper than the unconstrained optimum (it has fewer choices).
  EXPECT_GE(r.cost, run.solution.total_cost * (1 - 1e-12));
}

INSTANTIATE_TEST_SUITE_P(Models, DeviceMemoryTableTest,
                         ::testing::Values(TableCase{"llama-7b", 6738415616.0, 8}, TableCase{"llama-7b", 6738415616.0, 16},
                                           TableCase{"llama-7b", 6738415616.0, 32},
                                           TableCase{"gpt3-175b", 174604259328.0, 8},
                                           TableCase{"gpt3-175b", 174604259328.0, 16}),
                         [](const auto& test_case) {
                           std::string name = test_case.param.model + "_" + std::to_string(test_case.param.procs);
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace pase
