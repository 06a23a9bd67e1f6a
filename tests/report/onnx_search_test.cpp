// ONNX imports searched end to end at 8 and 64 devices with the paper cost model (the hardware cost
// model is not wired into the search yet, src/cluster/README.md); an imported ResNet-101 against the
// hand-written inputs/resnet101.json.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "pase/report/search_report.hpp"

namespace pase {
namespace {

const std::string kDir = std::string(PASE_SOURCE_DIR) + "/tests/model/onnx/";

SearchSettings settings_for(const std::string& path, int procs, std::vector<std::string> overrides = {}) {
  SearchSettings s;
  s.model_file = path;
  s.overrides = std::move(overrides);
  s.problem.procs = procs;
  s.dp.threads = 1;
  return s;
}

TEST(OnnxSearchTest, test_exports_search_at_8_and_64_devices) {
  const std::map<std::string, std::vector<std::string>> exports = {
      {"resnet18", {"batch=64"}}, {"encoder_layer_opset13", {}}, {"encoder_layer_opset17", {}},
      {"gpt_block", {}},          {"small_ops", {}},             {"mobilenet_v2", {}}};
  for (const auto& [name, overrides] : exports)
    for (int procs : {8, 64}) {
      const SearchSettings settings = settings_for(kDir + name + ".onnx", procs, overrides);
      const SearchRun run = run_search(settings);
      const SearchReport r = make_report(settings, run);
      EXPECT_TRUE(std::isfinite(r.total_cost) && r.total_cost > 0) << name << " p=" << procs;
      // The DP is exact and data parallelism is one of the strategies it considers.
      EXPECT_LE(r.total_cost, r.data_parallel_cost * (1 + 1e-12)) << name << " p=" << procs;
      EXPECT_GT(r.parameters, 0) << name;
      EXPECT_GT(r.forward_macs_per_sample, 0) << name;
    }
}

std::map<std::string, int> ops_of(const Network& net) {
  std::map<std::string, int> ops;
  for (const auto& l : net.layers) ++ops[l.op];
  return ops;
}

TEST(OnnxSearchTest, imported_resnet101_matches_the_hand_written_one) {
  const SearchRun imported = plan_search(settings_for(kDir + "resnet101.onnx", 8, {"batch=128"}));
  const SearchRun written = plan_search(settings_for(std::string(PASE_SOURCE_DIR) + "/inputs/resnet101.json", 8));
  auto a = ops_of(imported.network), b = ops_of(written.network);
  // The same 104 convolutions and 33 residual sums (the hand-written file names them per block).
  EXPECT_EQ(a["Conv"], b["Conv"]);
  EXPECT_EQ(a["Elementwise"], b["Elementwise"]);
  // Where they differ: torch.onnx.export folds each BatchNorm into its convolution (no BatchNorm
  // vertices), the global average pool is a Pooling rather than a ReduceMean, and the exported graph
  // ends at the logits (no SoftmaxCrossEntropy).
  EXPECT_EQ(a["BatchNorm"], 0);
  EXPECT_EQ(b["BatchNorm"], b["Conv"]);
  EXPECT_EQ(imported.network.layers.size(), written.network.layers.size() - b["BatchNorm"] - 1);
}

}  // namespace
}  // namespace pase
