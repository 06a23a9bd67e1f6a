// ONNX imports searched end to end at 8 and 64 devices with both cost models (the paper's FLOP model
// and the hardware model on dgx-a100); an imported ResNet-101 against the hand-written
// inputs/resnet101.json; DenseNet's concatenations keep the DP narrow. The image models at batch 64
// are onnx_search_slow_test.cpp. Head splits of an imported GPT-2 attention against the block written by hand,
// and the DP against brute force on an imported head split and merge.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/report/search_report.hpp"
#include "pase/search/dp.hpp"

namespace pase {
namespace {

const std::string kDir = std::string(PASE_SOURCE_DIR) + "/tests/model/onnx/";

SearchSettings settings_for(const std::string& path, int procs, std::vector<std::string> overrides = {},
                            bool hardware = false) {
  SearchSettings s;
  s.model_file = path;
  s.overrides = std::move(overrides);
  s.problem.procs = procs;
  if (hardware) s.problem.hardware.emplace(cluster::load_cluster("dgx-a100"), cluster::Precision::kFp32);
  s.dp.threads = 1;
  return s;
}

TEST(OnnxSearchTest, transformer_and_small_exports_search_at_8_and_64_devices_with_both_cost_models) {
  for (const std::string name : {"encoder_layer_opset13", "encoder_layer_opset17", "gpt_block", "small_ops"})
    for (int procs : {8, 64})
      for (bool hardware : {false, true}) {
        const SearchSettings settings = settings_for(kDir + name + ".onnx", procs, {}, hardware);
        const SearchRun run = run_search(settings);
        const SearchReport r = make_report(settings, run);
        const std::string what = name + " p=" + std::to_string(procs) + (hardware ? " hardware" : " paper");
        EXPECT_TRUE(std::isfinite(r.total_cost) && r.total_cost > 0) << what;
        // The DP is exact and data parallelism is one of the strategies it considers.
        EXPECT_EQ(evaluate(run.model.problem, run.solution.configs), run.solution.total_cost) << what;
        EXPECT_LE(run.solution.total_cost, evaluate(run.model.problem, run.model.data_parallel) * (1 + 1e-12)) << what;
        EXPECT_GT(r.parameters, 0) << what;
        EXPECT_GT(r.forward_macs_per_sample, 0) << what;
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
  // The same 104 convolutions, 104 BatchNorms (the export is in training mode, which keeps them; an
  // eval-mode export folds each into its convolution) and 33 residual sums.
  EXPECT_EQ(a["Conv"], 104);
  EXPECT_EQ(a["Conv"], b["Conv"]);
  EXPECT_EQ(a["BatchNorm"], b["BatchNorm"]);
  EXPECT_EQ(a["Elementwise"], b["Elementwise"]);
  // Where they differ: the exported graph ends at the logits, without the hand-written file's
  // SoftmaxCrossEntropy, so it has one vertex and one edge fewer (244 and 276 against 245 and 277).
  // The global average pool is a Pooling, the hand-written one a ReduceMean; the hand-written input
  // is 227x227 as in the prototype, the export's 224x224 (same graph, other tensor sizes).
  EXPECT_EQ(b["SoftmaxCrossEntropy"], 1);
  EXPECT_EQ(imported.model.problem.vertices.size() + 1, written.model.problem.vertices.size());
  EXPECT_EQ(imported.model.problem.edges.size() + 1, written.model.problem.edges.size());
}

TEST(OnnxSearchTest, densenet_concatenations_keep_the_dp_narrow) {
  // Each dense layer concatenates the block's input and every feature map before it; imported as one
  // edge per feature map that is a clique minor of a block's 24 layers (largest dependent set 25,
  // tables of 5e16 entries). Appended to the previous concatenation, every Concat has two inputs.
  const SearchRun run = plan_search(settings_for(kDir + "densenet121.onnx", 8, {"batch=64"}));
  int concats = 0;
  for (const auto& l : run.network.layers)
    if (l.op == "Concat") {
      ++concats;
      EXPECT_EQ(l.inputs.size(), 2u) << l.name;
    }
  EXPECT_EQ(concats, 58);  // dense layers (6 + 12 + 24 + 16) less the first of each block, plus each block's output
  EXPECT_EQ(run.model.problem.vertices.size(), 246u);
  EXPECT_EQ(run.model.problem.edges.size(), 303u);
  EXPECT_LE(run.plan.totals.largest_dependent_set, 2);
}

// Head splits through imported reshapes (ReshapeAxes) and GPT-2's fused c_attn (an Einsum over q, k, v
// stacked): the imported attention half-block finds the optimum of the same block written by hand with the
// heads named in its Einsums (tests/model/onnx/gpt2_attention_written.json), to the last bit where the
// hand-written optimum splits only what the import can (heads, batch, sequence).
TEST(OnnxSearchTest, imported_gpt2_attention_splits_heads_like_the_hand_written_block) {
  const std::string written = kDir + "gpt2_attention_written.json";
  for (int procs : {4, 8, 16})
    for (bool hardware : {false, true}) {
      const std::string what = "p=" + std::to_string(procs) + (hardware ? " hardware" : " paper");
      const SearchRun imported = run_search(settings_for(kDir + "gpt2_attention.onnx", procs, {}, hardware));
      const SearchRun by_hand = run_search(settings_for(written, procs, {}, hardware));
      const double a = imported.solution.total_cost, b = by_hand.solution.total_cost;
      // The hand-written Einsums can also split d_k alone, which no block split of the imported d = h d_k
      // expresses: never more expensive than the import.
      EXPECT_LE(b, a * (1 + 1e-12)) << what;
      // Measured: equal but at p=16 on dgx-a100, where the hand-written block splits the norm's sequence and
      // the imported one does not (0.449 ms against 0.475 ms).
      if (procs < 16 || !hardware) {
        EXPECT_NEAR(a, b, 1e-12 * b) << what;
      }
      // Megatron-style: the fused QKV projection splits its columns by heads (n, the heads times d_k).
      const auto& layers = imported.network.layers;
      const auto qkv =
          std::find_if(layers.begin(), layers.end(), [](const Layer& l) { return l.name == "/c_attn/MatMul"; });
      ASSERT_NE(qkv, layers.end());
      const auto index = static_cast<std::size_t>(qkv - layers.begin());
      const Config& c = imported.model.configs[index][static_cast<std::size_t>(imported.solution.configs[index])];
      const auto n = qkv->model->letters().find('n');
      ASSERT_EQ(qkv->model->letters(), "sblnk");
      // Measured: at 4 devices the optimum splits the batch and the sequence only (the import without
      // ReshapeAxes found it too); from 8 on it splits the heads.
      if (procs >= 8) {
        EXPECT_GT(c[n], 1) << what << ": the head columns are not split";
      }
    }
}

// The DP over an imported head split and merge (view, transpose, softmax, transpose, reshape between two
// projections) is the brute-force optimum, with both cost models.
TEST(OnnxSearchTest, imported_head_chain_search_equals_brute_force) {
  for (const auto& [procs, hardware] : std::vector<std::pair<int, bool>>{{2, false}, {4, false}, {2, true}}) {
    const SearchRun run = run_search(settings_for(kDir + "head_chain.onnx", procs, {}, hardware));
    const Solution best = brute_force(run.model.problem);
    EXPECT_NEAR(run.solution.total_cost, best.total_cost, 1e-12 * best.total_cost)
        << "p=" << procs << (hardware ? " hardware" : " paper");
  }
}

}  // namespace
}  // namespace pase
