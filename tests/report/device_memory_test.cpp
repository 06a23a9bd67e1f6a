// The capacity search on the shipped models: a GPT-2-sized model fits with data parallelism on
// A100-80GB, Llama-7B on 32 of them does not and gets a strategy that fits.
#include "pase/report/device_memory.hpp"

#include <gtest/gtest.h>


#include "pase/cluster/hardware_cluster.hpp"
#include "pase/pipeline/search_pipeline.hpp"

namespace pase {
namespace {

DeviceMemorySettings a100_memory() {
  const cluster::HardwareCluster c = cluster::load_cluster("dgx-a100");
  return {c.device.memory_bytes, c.device.memory_reserve_bytes, training_recipe("adam", "mixed")};
}

SearchSettings on_a100(const std::string& model, std::int64_t procs) {
  SearchSettings s;
  s.model_file = std::string(PASE_SOURCE_DIR) + "/inputs/" + model;
  s.problem.procs = procs;
  s.problem.hardware.emplace(cluster::load_cluster("dgx-a100"), cluster::Precision::kBf16);
  s.device_memory = a100_memory();
  return s;
}


TEST(DeviceMemoryTest, gpt2_small_fits_with_data_parallelism) {
  const SearchSettings s = on_a100("gpt.json", 8);
  const SearchRun run = run_search(s);
  SingleProcess single;
  const DeviceMemoryResult r = search_within_capacity(s, run, single);
  ASSERT_TRUE(r.feasible);
  EXPECT_TRUE(r.unconstrained_fits);
  EXPECT_EQ(r.dp_solves, 1);
  EXPECT_TRUE(r.baselines[0].fits);
  EXPECT_EQ(r.baselines[0].name, "data_parallel");
  // 124M-class parameters at 16 bytes: about 2 GB replicated.
  EXPECT_GT(r.baselines[0].memory.weights + r.baselines[0].memory.gradients + r.baselines[0].memory.optimizer, 1.5e9);
  EXPECT_LT(r.baselines[0].memory.weights + r.baselines[0].memory.gradients + r.baselines[0].memory.optimizer, 3e9);
}

TEST(DeviceMemoryTest, llama_7b_on_32_a100_does_not_fit_data_parallel_and_gets_a_strategy_that_fits) {
  SearchSettings s = on_a100("llama-7b.json", 32);
  // The preset's batch of 1024 sequences does not fit at once (no micro-batches): 8 sequences do.
  s.overrides = {"batch=8"};
  const SearchRun run = run_search(s);
  SingleProcess single;
  const DeviceMemoryResult r = search_within_capacity(s, run, single);
  const Baseline& dp = r.baselines[0];
  EXPECT_FALSE(dp.fits);
  RecordProperty("smallest_gb", std::to_string(r.smallest_peak_bytes / 1e9));
  RecordProperty("dp_gb", std::to_string(dp.memory.total() / 1e9));
  RecordProperty("dp_act_gb", std::to_string(dp.memory.activations / 1e9));
  // 6.74e9 parameters x 16 bytes replicated.
  EXPECT_NEAR(dp.memory.weights + dp.memory.gradients + dp.memory.optimizer, 6738415616.0 * 16, 1e9);
  ASSERT_TRUE(r.feasible);
  EXPECT_LE(r.memory.total(), a100_memory().capacity_bytes);
  EXPECT_LE(r.lower_bound, r.cost);
  EXPECT_GE(r.relative_gap(), 0.0);
  RecordProperty("peak_gb", std::to_string(r.memory.total() / 1e9));
  RecordProperty("gap", std::to_string(r.relative_gap()));
  RecordProperty("step_s", std::to_string(r.step.step_time_s()));
  RecordProperty("solves", r.dp_solves);
  RecordProperty("fsdp_fits", r.baselines[1].fits);
  RecordProperty("fsdp_gb", std::to_string(r.baselines[1].memory.total() / 1e9));
  RecordProperty("fsdp_step_s", std::to_string(r.baselines[1].step_time_s()));
  RecordProperty("seconds", std::to_string(r.seconds));
}

}  // namespace
}  // namespace pase
