// Stages as search problems on a tiny GPT (inputs/gpt.json, 3 layers): the units the stage search
// cuts between, a stage of the whole network equal to the plain search, and the automatic stage
// search at least as fast as every pipeline it could have chosen by hand.
#include "pase/stages/stage_problem.hpp"

#include <gtest/gtest.h>

#include "pase/model/model_file.hpp"
#include "pase/pipeline/search_pipeline.hpp"
#include "pase/stages/auto_stages.hpp"

namespace pase {
namespace {

const std::vector<std::string> tiny = {"layers=3", "seq=64", "d_model=32", "heads=4", "d_ff=128", "vocab=96", "batch=8"};

SearchSettings settings(std::int64_t procs) {
  SearchSettings s;
  s.model_file = std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json";
  s.overrides = tiny;
  s.problem.procs = procs;
  s.problem.hardware.emplace(cluster::load_cluster("dgx-a100"), cluster::Precision::kBf16);
  s.device_memory.recipe = training_recipe("adam", "mixed");
  s.device_memory.reserve_bytes = 1e9;
  s.dp.threads = 1;
  return s;
}

TEST(StageProblem, UnitsAreCutWhereOneTensorCrossesAndBetweenTransformerLayers) {
  const Network net = load_model(std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json", tiny);
  const StageUnits units = stage_units(net);
  // embed | pos | 3 decoder layers of 12 | logits | loss.
  ASSERT_EQ(units.units.size(), 7u);
  EXPECT_EQ(units.units[0].first, 0);
  EXPECT_EQ(units.units[0].last, 0);
  EXPECT_EQ(units.units[2].first, 2);
  EXPECT_EQ(units.units[2].last, 13);
  EXPECT_EQ(units.units[6].last, static_cast<int>(net.layers.size()) - 1);
  EXPECT_EQ(units.signatures[2], units.signatures[3]);
  EXPECT_EQ(units.signatures[3], units.signatures[4]);
  EXPECT_NE(units.signatures[1], units.signatures[2]);
  for (std::size_t u = 0; u + 1 < units.units.size(); ++u) EXPECT_EQ(units.boundary[u].layer, units.units[u].last);
  EXPECT_EQ(units.boundary.back().layer, -1);
}

TEST(StageProblem, SubNetworkReceivesWhatEnters) {
  const Network net = load_model(std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json", tiny);
  const Network sub = sub_network(net, {14, 25});  // the second decoder layer
  ASSERT_EQ(sub.layers.size(), 12u);
  EXPECT_EQ(sub.layers[0].inputs[0].layer, -1);   // att.qkv reads the first layer's output
  EXPECT_EQ(sub.layers[6].inputs[0].layer, -1);   // att.residual reads it too
  EXPECT_EQ(sub.layers[1].inputs[0].layer, 0);    // qkv_split reads qkv, inside
}

TEST(StageProblem, OneStageOfTheWholeNetworkIsThePlainSearch) {
  for (std::int64_t procs : {1, 4, 8}) {
    SCOPED_TRACE("procs = " + std::to_string(procs));
    const SearchSettings s = settings(procs);
    StagePricer pricer(s);
    const int last = static_cast<int>(pricer.units().units.size()) - 1;
    const LayerRange all = pricer.layers(0, last);
    const SearchRun stage = pricer.search_range(all, static_cast<int>(procs), pricer.batch());
    // The stage's search reduces repeated blocks (exact); so does this plain search.
    SearchSettings plain_settings = s;
    plain_settings.problem = pricer.priced(pricer.batch(), static_cast<int>(procs)).options;
    plain_settings.blocks = BlockMode::automatic;
    const SearchRun plain = run_search(plain_settings);
    EXPECT_EQ(stage.solution.total_cost, plain.solution.total_cost);
    EXPECT_EQ(stage.solution.configs, plain.solution.configs);
    const PricedStage& priced = pricer.stage(0, last, static_cast<int>(procs), pricer.batch());
    EXPECT_EQ(priced.search_total, plain.solution.total_cost);
    // Without the reduction the plain search finds the same minimum (to the rounding of its sums).
    plain_settings.blocks = BlockMode::never;
    const double unreduced = run_search(plain_settings).solution.total_cost;
    EXPECT_NEAR(stage.solution.total_cost, unreduced, 1e-12 * unreduced);
  }
}

TEST(StageProblem, RepeatedLayersShareOneSearch) {
  const SearchSettings s = settings(2);
  StagePricer pricer(s);
  pricer.stage(2, 2, 2, 8);
  pricer.stage(3, 3, 2, 8);  // the same decoder layer: no second search
  pricer.stage(4, 4, 2, 8);
  EXPECT_EQ(pricer.searches(), 1u);
  pricer.stage(2, 3, 2, 8);
  pricer.stage(3, 4, 2, 8);
  EXPECT_EQ(pricer.searches(), 2u);
}

TEST(StageProblem, AStagePricedOnceIsPricedRightWhereverItStands) {
  // Decoder layers 0, 1 and 2 share one price; each, placed at its own layers, prices the same.
  const SearchSettings s = settings(2);
  StagePricer pricer(s);
  for (StageStrategy strategy : {StageStrategy::search, StageStrategy::megatron})
    for (int unit : {2, 3, 4}) {
      const PricedStage& stage = pricer.stage(unit, unit, 2, 4, Recompute::selective, strategy);
      ASSERT_TRUE(stage.cost.runs);
      const LayerRange range = pricer.layers(unit, unit);
      PipelineOptions options;
      options.recompute = Recompute::selective;
      options.schedule = {3, 6, 1};
      const StagePlan priced =
          price_stage({{range}, &pricer.priced(4, 2), pricer.network_configs(range, stage)}, options, 0, 2);
      EXPECT_DOUBLE_EQ(priced.microbatch_time_s, stage.cost.microbatch_time_s) << "unit " << unit;
      EXPECT_DOUBLE_EQ(priced.memory.total(),
                       stage.cost.static_bytes_per_device + 3 * stage.cost.activation_bytes_per_microbatch);
    }
}

TEST(StageProblem, AutoStagesBeatsEveryOneStagePipeline) {
  const SearchSettings s = settings(4);
  const AutoStagesResult found = search_auto_stages(s);
  ASSERT_TRUE(found.plan);
  EXPECT_EQ(found.plan->devices(), 4);
  int next = 0;
  for (const StagePlan& stage : found.plan->stages) {
    EXPECT_EQ(stage.first_layer, next);
    next = stage.last_layer + 1;
  }
  // Every stage replica size and micro-batch count of a single stage (data parallelism and gradient
  // accumulation over the plain search's strategy) is among the candidates.
  StagePricer pricer(s);
  const int last = static_cast<int>(pricer.units().units.size()) - 1;
  for (int a : {1, 2, 4})
    for (long m : {1L, 2L}) {
      const int dp = 4 / a;
      const std::int64_t b = pricer.batch() / (dp * m);
      const PricedStage& stage = pricer.stage(0, last, a, b);
      PipelineOptions options;
      options.schedule.microbatches = m;
      options.data_parallel = dp;
      const PipelinePlan one = evaluate_pipeline(
          {{{pricer.layers(0, last)}, &pricer.priced(b, a), pricer.network_configs(pricer.layers(0, last), stage)}}, options);
      EXPECT_LE(found.plan->step_time_s(), one.step_time_s() * (1 + 1e-12)) << "a " << a << " m " << m;
    }
  EXPECT_GT(found.stage_searches, 0u);
  EXPECT_GE(found.stage_cost_evaluations, found.stage_searches);
}

}  // namespace
}  // namespace pase
