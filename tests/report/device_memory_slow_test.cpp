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

}  // namespace
}  // namespace pase
