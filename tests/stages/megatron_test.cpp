// Megatron-LM setups: parsing, the checks that say what to change, and the mapping of tensor
// parallelism to configurations (column/row splits by heads and d_ff, vocabulary-parallel embedding).
#include "pase/stages/megatron.hpp"

#include <gtest/gtest.h>

#include "pase/model/model_file.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

Network gpt(std::vector<std::string> overrides = {}) {
  std::vector<std::string> all = {"layers=4", "seq=64", "d_model=32", "heads=4", "d_ff=128", "vocab=64", "batch=16"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  return load_model(std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json", all);
}

TEST(Megatron, Parses) {
  const MegatronSetup s = parse_megatron("tp=8,pp=4,dp=2,microbatch=2,interleave=3,sequence-parallel,recompute=selective");
  EXPECT_EQ(s.tp, 8);
  EXPECT_EQ(s.pp, 4);
  EXPECT_EQ(s.dp, 2);
  EXPECT_EQ(s.microbatch, 2);
  EXPECT_EQ(s.interleave, 3);
  EXPECT_TRUE(s.sequence_parallel);
  EXPECT_EQ(s.recompute, Recompute::selective);
  EXPECT_EQ(to_string(s), "tp=8,pp=4,dp=2,microbatch=2,interleave=3,sequence-parallel,recompute=selective");
}

TEST(Megatron, BadStringsSayWhatToChange) {
  EXPECT_TRUE(test::throws_naming([] { parse_megatron("tp=8,pq=2"); }, "--megatron", "unknown key 'pq'"));
  EXPECT_TRUE(test::throws_naming([] { parse_megatron("tp=0"); }, "--megatron", "tp=0"));
  EXPECT_TRUE(test::throws_naming([] { parse_megatron("tp=eight"); }, "--megatron", "positive whole number"));
  EXPECT_TRUE(test::throws_naming([] { parse_megatron("recompute=some"); }, "--megatron", "none, selective or full"));
  EXPECT_TRUE(test::throws_naming([] { parse_megatron("tp"); }, "--megatron", "needs a value"));
  EXPECT_TRUE(test::throws_naming([] { parse_megatron(""); }, "--megatron", "empty"));
  const Network net = gpt();
  EXPECT_TRUE(test::throws_naming([&] { check_megatron(parse_megatron("tp=3,pp=1,dp=1"), net, 3); }, "--megatron",
                                  "does not divide the 4 attention heads"));
  EXPECT_TRUE(test::throws_naming([&] { check_megatron(parse_megatron("tp=2,pp=2,dp=1"), net, 8); }, "--megatron",
                                  "use dp=2"));
  EXPECT_TRUE(test::throws_naming([&] { check_megatron(parse_megatron("tp=1,pp=8,dp=1"), net, 8); }, "--megatron",
                                  "more than the 4 transformer layers"));
  EXPECT_TRUE(test::throws_naming([&] { check_megatron(parse_megatron("tp=1,pp=3,dp=1"), net, 3); }, "--megatron",
                                  "does not divide the 4 transformer layers"));
  EXPECT_TRUE(test::throws_naming([&] { check_megatron(parse_megatron("tp=1,pp=1,dp=2,microbatch=3"), net, 2); },
                                  "--megatron", "does not divide the batch of 16"));
  // The vocabulary is padded to a multiple of 128 tp, as Megatron-LM pads it, before the check.
  EXPECT_TRUE(test::throws_naming([&] { check_megatron(parse_megatron("tp=2,pp=1,dp=1"), gpt({"vocab=65"}), 2); },
                                  "--megatron", "pads it to 256"));
  EXPECT_EQ(padded_vocabulary(50257, 8), 51200);
  EXPECT_EQ(padded_vocabulary(51200, 8), 51200);
  EXPECT_EQ(padded_vocabulary(65, 2), 256);
  const Network odd = gpt({"vocab=65"});
  const std::vector<std::string> padded = megatron_overrides(odd, {"layers=4"}, 2);
  EXPECT_EQ(padded.back(), "vocab=256");
  EXPECT_NO_THROW(check_megatron(parse_megatron("tp=2,pp=1,dp=1"),
                                 load_model(std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json",
                                            {"layers=4", "seq=64", "d_model=32", "heads=4", "d_ff=128", "vocab=256",
                                             "batch=16"}),
                                 2));
  EXPECT_TRUE(test::throws_naming(
      [&] { check_megatron(parse_megatron("tp=1,pp=2,dp=1,microbatch=16,interleave=2"), net, 2); }, "--megatron",
      "multiple of pp=2"));
  EXPECT_NO_THROW(check_megatron(parse_megatron("tp=4,pp=2,dp=2,microbatch=2,interleave=2,sequence-parallel"), net, 16));
}

TEST(Megatron, TensorParallelismSplitsHeadsAndFeedForwardAndVocabulary) {
  const Network net = gpt();
  ProblemOptions options;
  options.procs = 4;
  const ModelProblem model = build_problem(net, options);
  for (bool sequence_parallel : {false, true}) {
    const std::vector<int> chosen = megatron_configs(net, model, 4, sequence_parallel);
    for (std::size_t v = 0; v < net.layers.size(); ++v) {
      const Layer& layer = net.layers[v];
      const std::string& letters = layer.model->letters();
      std::string split;
      const Config& c = model.configs[v][chosen[v]];
      for (std::size_t d = 0; d < c.size(); ++d)
        if (c[d] > 1) split += letters[d];
      const bool attention = layer.name.find(".att.") != std::string::npos && layer.op != "Elementwise" && layer.op != "Norm";
      const bool ff = layer.name.find(".ff.ff") != std::string::npos;
      const bool vocabulary = layer.name == "embed" || layer.name == "logits" || layer.name == "loss";
      const std::string expected = attention ? "h" : ff ? "f" : vocabulary ? "v" : sequence_parallel ? "l" : "";
      EXPECT_EQ(split, expected) << layer.name;
    }
  }
}

TEST(Megatron, StagesCutTheTransformerLayersEvenly) {
  const Network net = gpt();
  const auto blocks = transformer_layers(net);
  ASSERT_EQ(blocks.size(), 4u);
  const auto two = megatron_stages(net, 2, 1);
  EXPECT_EQ(two[0], (std::vector<LayerRange>{{0, blocks[1].last}}));
  EXPECT_EQ(two[1], (std::vector<LayerRange>{{blocks[2].first, static_cast<int>(net.layers.size()) - 1}}));
  const auto interleaved = megatron_stages(net, 2, 2);  // chunks 0, 2 on stage 0; 1, 3 on stage 1
  EXPECT_EQ(interleaved[0], (std::vector<LayerRange>{{0, blocks[0].last}, {blocks[2].first, blocks[2].last}}));
  EXPECT_EQ(interleaved[1], (std::vector<LayerRange>{{blocks[1].first, blocks[1].last},
                                                      {blocks[3].first, static_cast<int>(net.layers.size()) - 1}}));
}

// The rule of thumb against every setup it could have taken: it fits, no setup with less recomputation
// or fewer stages fits, and no larger micro-batch with its stages and recomputation fits.
TEST(Megatron, RuleOfThumbTakesTheFewestStagesAndTheLargestMicrobatchThatFit) {
  const std::string file = std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json";
  const std::vector<std::string> overrides = {"layers=4", "seq=256", "d_model=256", "heads=8", "d_ff=1024",
                                              "vocab=512", "batch=32"};
  const HardwarePricing pricing(cluster::load_cluster("dgx-a100"), cluster::Precision::kBf16);
  const TrainingRecipe recipe = training_recipe("adam", "mixed");
  const Network net = load_model(file, overrides);
  auto peak = [&](const MegatronSetup& s) {
    const PricedNetwork p =
        price_network(file, megatron_overrides(net, overrides, s.tp), s.microbatch, s.tp, pricing, recipe, 0);
    return evaluate_megatron(s, p, 32).peak_memory().total();
  };
  // Capacities between the largest and the smallest footprint make the rule cut into stages.
  MegatronSetup all_in_one = parse_megatron("tp=8,pp=1,dp=2,microbatch=16,sequence-parallel");
  MegatronSetup thinnest = parse_megatron("tp=8,pp=2,dp=1,microbatch=1,sequence-parallel,recompute=full");
  const double most = peak(all_in_one), least = peak(thinnest);
  ASSERT_LT(least, most);
  for (double capacity : {2 * most, 0.5 * (least + most), 1.01 * least}) {
    const auto rule = megatron_rule_of_thumb(file, overrides, 16, pricing, recipe, 0, capacity);
    ASSERT_TRUE(rule.has_value());
    SCOPED_TRACE(to_string(rule->setup) + " at " + std::to_string(capacity));
    EXPECT_TRUE(rule->fits);
    EXPECT_LE(rule->plan.peak_memory().total(), capacity);
    EXPECT_EQ(rule->setup.tp, 8);  // the devices of a node, dividing the heads
    EXPECT_TRUE(rule->setup.sequence_parallel);
    for (Recompute r : {Recompute::none, Recompute::selective, Recompute::full})
      for (std::int64_t pp : {1, 2})
        for (std::int64_t mb : {1, 2, 4, 8, 16}) {
          MegatronSetup s = rule->setup;
          s.recompute = r;
          s.pp = pp;
          s.dp = 16 / (8 * pp);
          s.microbatch = mb;
          if ((32 / s.dp) % mb != 0) continue;
          const bool earlier = r < rule->setup.recompute || (r == rule->setup.recompute && pp < rule->setup.pp) ||
                               (r == rule->setup.recompute && pp == rule->setup.pp && mb > rule->setup.microbatch);
          if (earlier) {
            EXPECT_GT(peak(s), capacity) << to_string(s) << " fits and comes first";
          }
        }
  }
  EXPECT_FALSE(megatron_rule_of_thumb(file, overrides, 16, pricing, recipe, 0, 0.5 * least)->fits);
  // Not a transformer: no rule.
  EXPECT_FALSE(megatron_rule_of_thumb(std::string(PASE_SOURCE_DIR) + "/inputs/alexnet.json", {}, 8, pricing, recipe, 0,
                                      80e9)
                   .has_value());
}

}  // namespace
}  // namespace pase
