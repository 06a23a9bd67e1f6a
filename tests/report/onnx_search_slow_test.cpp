// The image-model test exports at batch 64 searched at 8 and 64 devices with both cost models (the
// paper's FLOP model and the hardware model on dgx-a100): DenseNet-121 at 64 devices takes seconds.
#include <gtest/gtest.h>

#include <cmath>

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/report/search_report.hpp"

namespace pase {
namespace {

class OnnxImageSearchTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxImageSearchTest, searches_at_8_and_64_devices_with_both_cost_models) {
  const std::string path = std::string(PASE_SOURCE_DIR) + "/tests/model/onnx/" + GetParam() + ".onnx";
  for (int procs : {8, 64})
    for (bool hardware : {false, true}) {
      SearchSettings s;
      s.model_file = path;
      s.overrides = {"batch=64"};
      s.problem.procs = procs;
      if (hardware) s.problem.hardware.emplace(cluster::load_cluster("dgx-a100"), cluster::Precision::kFp32);
      const SearchRun run = run_search(s);
      const SearchReport r = make_report(s, run);
      const std::string what = "p=" + std::to_string(procs) + (hardware ? " hardware" : " paper");
      EXPECT_TRUE(std::isfinite(r.step_time_s) && r.step_time_s > 0) << what;
      EXPECT_EQ(evaluate(run.model.problem, run.solution.configs), run.solution.total_cost) << what;
      EXPECT_LE(run.solution.total_cost, evaluate(run.model.problem, run.model.data_parallel) * (1 + 1e-12)) << what;
      // At batch 64 on 8 devices data parallelism alone already uses every device.
      if (procs == 8) {
        EXPECT_EQ(r.data_parallel_devices_used, 8) << what;
      }
    }
}

INSTANTIATE_TEST_SUITE_P(Exports, OnnxImageSearchTest,
                         ::testing::Values("resnet18", "resnet50", "resnet101", "alexnet", "vgg16", "mobilenet_v2",
                                           "densenet121", "inception_v3"));

}  // namespace
}  // namespace pase
