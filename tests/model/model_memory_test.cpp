// Device memory: each term worked by hand, the recipes, and a GPT block against the activation
// formula of Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer
// Models", Table 2), with and without tensor parallelism.
#include "pase/model/model_memory.hpp"

#include <gtest/gtest.h>

#include "pase/cost/operator.hpp"
#include "pase/model/model_file.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

TEST(ModelMemoryTest, recipes_give_the_zero_paper_bytes_a_parameter) {
  const TrainingRecipe adam = training_recipe("adam", "mixed");
  EXPECT_EQ(adam.weight_bytes + adam.gradient_bytes + adam.optimizer_bytes, 16.0);  // 2 + 2 + 12 (ZeRO, Sec. 3.1)
  EXPECT_EQ(adam.activation_bytes, 2.0);
  const TrainingRecipe sgd = training_recipe("sgd", "fp32");
  EXPECT_EQ(sgd.weight_bytes + sgd.gradient_bytes + sgd.optimizer_bytes, 8.0);
  EXPECT_EQ(training_recipe("sgd-momentum", "fp32").optimizer_bytes, 4.0);
  EXPECT_EQ(training_recipe("adam", "fp32").optimizer_bytes, 8.0);
  EXPECT_TRUE(test::throws_naming([] { training_recipe("lamb", "mixed"); }, "--optimizer", "lamb"));
  EXPECT_TRUE(test::throws_naming([] { training_recipe("adam", "fp8"); }, "--training-precision", "fp8"));
}

// An FC layer of 4 x 8 inputs and 6 units, split 2 ways along the batch and 3 along the units.
TEST(ModelMemoryTest, fully_connected_terms_by_hand) {
  Attributes a;
  a.set_ints("units", {6});
  const auto fc = make_operator("FC", {{4, 8}}, a);
  const TrainingRecipe r = training_recipe("adam", "mixed");
  const LayerMemory m = layer_memory(*fc, {2, 3, 1}, {false}, r, false);
  // The weight: 6 x 8 split 3 ways = 16 elements.
  EXPECT_DOUBLE_EQ(m.weights, 16 * 2.0);
  EXPECT_DOUBLE_EQ(m.gradients, 16 * 2.0);
  EXPECT_DOUBLE_EQ(m.optimizer, 16 * 12.0);
  // The input part 2 x 8 is kept for the weight gradient.
  EXPECT_DOUBLE_EQ(m.activations, 16 * 2.0);
  // Largest collective: the input gradient (2 x 8) over the units split, the weight gradient (2 x 8)
  // over the batch split.
  EXPECT_DOUBLE_EQ(m.buffers, 16 * 2.0);
  // Without splits: the whole weight, no collective.
  const LayerMemory whole = layer_memory(*fc, {1, 1, 1}, {false}, r, false);
  EXPECT_DOUBLE_EQ(whole.weights, 48 * 2.0);
  EXPECT_DOUBLE_EQ(whole.buffers, 0.0);
}

TEST(ModelMemoryTest, fused_activation_keeps_its_input_unless_recomputed) {
  Attributes a;
  a.set_string("equation", "ble,ef->blf");
  a.set_ints("pointwise_ops", {2});
  const auto ff1 = make_operator("Einsum", {{2, 3, 4}, {4, 16}}, a);
  const TrainingRecipe r = training_recipe("sgd", "fp32");
  // Input 2 x 3 x 4 = 24 elements, GeLU input 2 x 3 x 16 = 96; the weight (inline) 64 elements.
  const LayerMemory keep = layer_memory(*ff1, {1, 1, 1, 1}, {false, true}, r, false);
  EXPECT_DOUBLE_EQ(keep.activations, (24 + 96) * 4.0);
  EXPECT_DOUBLE_EQ(keep.weights, 64 * 4.0);
  EXPECT_DOUBLE_EQ(keep.optimizer, 0.0);
  const LayerMemory again = layer_memory(*ff1, {1, 1, 1, 1}, {false, true}, r, true);
  EXPECT_DOUBLE_EQ(again.activations, 24 * 4.0);
  // The weight split 4 ways along f.
  EXPECT_DOUBLE_EQ(layer_memory(*ff1, {1, 1, 4, 1}, {false, true}, r, false).weights, 16 * 4.0);
}

TEST(ModelMemoryTest, softmax_keeps_its_output_a_sum_nothing_a_conv_its_filter) {
  Attributes none, axis;
  axis.set_ints("axis", {1});
  const TrainingRecipe r = training_recipe("sgd", "fp32");
  EXPECT_DOUBLE_EQ(layer_memory(*make_operator("Softmax", {{2, 5}}, axis), {2, 1}, {false}, r, false).activations,
                   5 * 4.0);
  EXPECT_DOUBLE_EQ(
      layer_memory(*make_operator("Elementwise", {{2, 5}, {2, 5}}, none), {1, 1}, {false, false}, r, false).activations,
      0.0);
  Attributes conv;
  conv.set_ints("filter", {8, 3, 3, 3});
  // bchwrsn split n 2 ways: 8 x 3 x 3 x 3 / 2 = 108 filter elements; the 1 x 3 x 6 x 6 input kept.
  const LayerMemory m = layer_memory(*make_operator("Conv", {{1, 3, 6, 6}}, conv), {1, 1, 1, 1, 1, 1, 2}, {false}, r,
                                     false);
  EXPECT_DOUBLE_EQ(m.weights, 108 * 4.0);
  EXPECT_DOUBLE_EQ(m.activations, 108 * 4.0);
}

// One GPT decoder block (inputs/gpt.json) of s, b, h, a and d_ff = 4h, in 16-bit activations.
struct Block {
  double s = 64, b = 2, h = 32, a = 4;
  Network network;
  ModelProblem model;
  ModelMemory memory;
  explicit Block(std::int64_t t) {
    network = load_model(std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json",
                         {"layers=1", "seq=64", "batch=2", "d_model=32", "heads=4", "d_ff=128", "vocab=64"});
    ProblemOptions options;
    options.procs = t;
    model = build_problem(network, options);
    memory = model_memory(network, model, options, training_recipe("adam", "mixed"), 0.0);
  }
  // The block's activations and weights with attention split t ways by heads and the feed-forward
  // network by d_ff (Megatron-LM's tensor parallelism), everything else replicated.
  std::pair<double, double> megatron(std::int64_t t) const {
    double activations = 0, weights = 0;
    for (std::size_t v = 0; v < network.layers.size(); ++v) {
      const Layer& layer = network.layers[v];
      if (layer.name.rfind("dec.0.", 0) != 0) continue;
      const std::string& letters = layer.model->letters();
      const bool ff = layer.name.find("ff.ff") != std::string::npos;
      const char split = layer.name.find("att.") != std::string::npos && layer.op != "Norm" &&
                                 layer.op != "Elementwise"
                             ? 'h'
                             : (ff ? 'f' : 0);
      int found = -1;
      for (std::size_t c = 0; c < model.configs[v].size(); ++c) {
        bool ok = true;
        for (std::size_t d = 0; d < letters.size(); ++d)
          ok = ok && model.configs[v][c][d] == (letters[d] == split ? t : 1);
        if (ok) found = static_cast<int>(c);
      }
      EXPECT_GE(found, 0) << layer.name;
      activations += memory.keep[v][found].activations;
      weights += memory.keep[v][found].weights;
    }
    return {activations, weights};
  }
};

TEST(ModelMemoryTest, gpt_block_activations_match_korthikanti_table_2_without_dropout) {
  for (std::int64_t ways : {1, 2, 4}) {
    const Block block(ways);
    const double t = static_cast<double>(ways);
    const double s = block.s, b = block.b, h = block.h, a = block.a;
    // Table 2: sbh (10 + 24 / t + 5 a s / (h t)) bytes (t = 1: 34 + 5 a s / h). pase's GPT has no
    // dropout: without its masks (sbh after the attention and after the MLP, a s^2 b after the
    // softmax, 1 byte an element) it is sbh (8 + 24 / t + 4 a s / (h t)).
    const double table2 = s * b * h * (10 + 24.0 / t + 5 * a * s / (h * t));
    const double masks = 2 * s * b * h + a * s * s * b / t;
    const auto [activations, weights] = block.megatron(ways);
    SCOPED_TRACE("t = " + std::to_string(ways));
    EXPECT_DOUBLE_EQ(activations, table2 - masks);
    // Weights: 12 h^2 split t ways, the two norms' scale and bias (4 h) replicated; 2 bytes each.
    EXPECT_DOUBLE_EQ(weights, 2 * (12 * h * h / t + 4 * h));
  }
}

}  // namespace
}  // namespace pase
