// Stages as search problems on a tiny GPT (inputs/gpt.json, 3 layers): the units the stage search
// cuts between, a stage of the whole network equal to the plain search, and the automatic stage
// search at least as fast as every pipeline it could have chosen by hand.
#include "pase/stages/stage_problem.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "pase/model/model_file.hpp"
#include "pase/pipeline/search_pipeline.hpp"
#include "pase/stages/auto_stages.hpp"
#include "pase/stages/megatron.hpp"

namespace pase {
namespace {

const std::vector<std::string> tiny = {"layers=3", "seq=64", "d_model=32", "heads=4", "d_ff=128", "vocab=96", "batch=8"};

// DGX A100 devices and links, `node` devices a node (the preset's 8 unless given).
SearchSettings settings(std::int64_t procs, int node = 8) {
  SearchSettings s;
  s.model_file = std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json";
  s.overrides = tiny;
  s.problem.procs = procs;
  cluster::HardwareCluster hw = cluster::load_cluster("dgx-a100");
  hw.nodes = hw.nodes * hw.devices_per_node / node;
  hw.devices_per_node = node;
  s.problem.hardware.emplace(hw, cluster::Precision::kBf16);
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

TEST(StageProblem, TheStageSearchPricesItsPipelinesAsEvaluatePipelineDoes) {
  // 8 devices in nodes of 4: stages of 1 or 2 devices send within a node or across it by where they stand,
  // replicas add the gradients' all-reduce buffer; every candidate's pipeline, as the stage DP priced
  // it, is what evaluate_pipeline makes of it, stage by stage.
  SearchSettings s = settings(8, 4);
  s.device_memory.reserve_bytes = 0;
  // Half the memory the fastest pipeline without a limit needs: the search must cut into stages.
  const AutoStagesResult unlimited = search_auto_stages(s);
  ASSERT_TRUE(unlimited.plan);
  s.device_memory.capacity_bytes = 0.5 * unlimited.plan->peak_memory().total();
  const AutoStagesResult found = search_auto_stages(s);
  ASSERT_TRUE(found.plan);
  int crossing = 0, within = 0, replicated = 0, sequence_parallel = 0, fit = 0;
  for (const AutoStagesCandidate& c : found.tried) {
    SCOPED_TRACE("dp " + std::to_string(c.data_parallel) + " a " + std::to_string(c.stage_devices) + " recompute " +
                 to_string(c.recompute) + (c.sequence_parallel ? " sequence parallel" : ""));
    EXPECT_NEAR(c.searched.pipeline_time_s, c.evaluated.pipeline_time_s, 1e-9 * c.evaluated.pipeline_time_s);
    ASSERT_EQ(c.searched.stages.size(), c.evaluated.stages.size());
    for (std::size_t i = 0; i < c.searched.stages.size(); ++i) {
      const StagePlan &dp = c.searched.stages[i], &evaluated = c.evaluated.stages[i];
      EXPECT_NEAR(dp.microbatch_time_s, evaluated.microbatch_time_s, 1e-9 * evaluated.microbatch_time_s) << "stage " << i;
      EXPECT_NEAR(dp.memory_bytes_per_device, evaluated.memory_bytes_per_device, 1e-9 * evaluated.memory_bytes_per_device)
          << "stage " << i;
      if (i + 1 < c.searched.stages.size()) {
        EXPECT_EQ(dp.send_crosses_nodes, evaluated.send_crosses_nodes) << "stage " << i;
        (evaluated.send_crosses_nodes ? crossing : within) += 1;
      }
    }
    // What the DP found fits by its prices fits by evaluate_pipeline's.
    EXPECT_EQ(c.fits, std::all_of(c.searched.stages.begin(), c.searched.stages.end(), [&](const StagePlan& stage) {
                return stage.memory_bytes_per_device <= s.device_memory.capacity_bytes;
              }));
    fit += c.fits ? 1 : 0;
    replicated += c.data_parallel > 1 ? 1 : 0;
    sequence_parallel += c.sequence_parallel ? 1 : 0;
  }
  // The candidates exercise what the DP must price as the evaluation does.
  EXPECT_GT(crossing, 0);
  EXPECT_GT(within, 0);
  EXPECT_GT(replicated, 0);
  EXPECT_GT(sequence_parallel, 0);
  EXPECT_GT(fit, 0);
}

TEST(StageProblem, AutoStagesIsAtLeastAsFastAsTheMegatronRuleOfThumb) {
  // 4 decoder layers on 8 devices in nodes of 4, the device memory such that the rule of thumb needs
  // pipeline stages or smaller micro-batches: its setup (tensor parallelism over a node, even cuts,
  // sequence parallelism, the vocabulary padded) is among the search's candidates, so the search is
  // no slower.
  SearchSettings s = settings(8, 4);
  s.overrides[0] = "layers=4";
  s.overrides[5] = "vocab=97";  // as GPT-3's 50257, divisible by no tp: Megatron-LM pads it
  s.device_memory.reserve_bytes = 0;
  const HardwarePricing& pricing = *s.problem.hardware;
  auto rule = [&](double capacity) {
    return megatron_rule_of_thumb(s.model_file, s.overrides, 8, pricing, s.device_memory.recipe,
                                  s.device_memory.reserve_bytes, capacity);
  };
  const auto unlimited = rule(0);
  ASSERT_TRUE(unlimited);
  ASSERT_EQ(unlimited->setup.pp, 1);
  s.device_memory.capacity_bytes = 0.9 * unlimited->plan.peak_memory().total();
  const auto limited = rule(s.device_memory.capacity_bytes);
  ASSERT_TRUE(limited && limited->fits);
  EXPECT_GT(limited->setup.pp * limited->setup.microbatch, 1);  // the rule had to change its setup
  const AutoStagesResult found = search_auto_stages(s);
  ASSERT_TRUE(found.plan);
  EXPECT_LE(found.plan->step_time_s(), limited->plan.step_time_s() * (1 + 1e-12));
  EXPECT_LE(found.plan->peak_memory().total(), s.device_memory.capacity_bytes);
}

TEST(StageProblem, MegatronStagesArePricedByTheStageSearchAsEvaluateMegatronPricesThem) {
  // Megatron-LM setups on a GPT whose vocabulary no tp divides (padded, as evaluate_megatron pads it):
  // each stage of the setup, as the stage search prices it (its Megatron-LM strategy on the same
  // units, devices, micro-batches, replicas and options, plus its send), costs what the setup's
  // evaluation says, so the setup's pipeline is one the stage DP weighs at its true price.
  struct Case {
    MegatronSetup setup;
    int node;
  };
  std::vector<Case> cases(2);
  cases[0].setup = {2, 2, 2, 1, 1, true, Recompute::selective};  // replicas: the all-reduce buffer
  cases[0].node = 4;
  cases[1].setup = {2, 2, 1, 2, 1, false, Recompute::full};      // both stages in one node: sends on NVLink
  cases[1].node = 4;
  for (const Case& c : cases) {
    const MegatronSetup& m = c.setup;
    SCOPED_TRACE(to_string(m));
    SearchSettings s = settings(m.tp * m.pp * m.dp, c.node);
    s.overrides[0] = "layers=4";
    s.overrides[5] = "vocab=97";
    const Network given = load_model(s.model_file, s.overrides);
    const PricedNetwork padded = price_network(s.model_file, megatron_overrides(given, s.overrides, m.tp), m.microbatch,
                                               m.tp, *s.problem.hardware, s.device_memory.recipe,
                                               s.device_memory.reserve_bytes);
    const PipelinePlan evaluated = evaluate_megatron(m, padded, given.param_or("batch", 0));
    StagePricer pricer(s);
    const auto& units = pricer.units().units;
    auto unit_of = [&](int layer) {
      int u = 0;
      while (units[static_cast<std::size_t>(u)].last < layer) ++u;
      return u;
    };
    ASSERT_EQ(evaluated.stages.size(), 2u);
    EXPECT_EQ(evaluated.stages[0].send_crosses_nodes, m.dp > 1);
    for (std::size_t i = 0; i < evaluated.stages.size(); ++i) {
      const StagePlan& stage = evaluated.stages[i];
      const int first = unit_of(stage.first_layer), last = unit_of(stage.last_layer);
      ASSERT_EQ(pricer.layers(first, last), (LayerRange{stage.first_layer, stage.last_layer}));
      const PricedStage& priced = pricer.stage(first, last, static_cast<int>(m.tp), m.microbatch, m.recompute,
                                               StageStrategy::megatron, m.sequence_parallel, static_cast<int>(m.dp));
      ASSERT_TRUE(priced.cost.runs) << "stage " << i;
      const double send = i + 1 < evaluated.stages.size()
                              ? pricer.send_s(priced, first, last, static_cast<int>(m.dp), stage.send_crosses_nodes)
                              : 0.0;
      EXPECT_NEAR(priced.cost.microbatch_time_s + send, stage.microbatch_time_s, 1e-12 * stage.microbatch_time_s)
          << "stage " << i;
      EXPECT_NEAR(stage_memory_bytes(priced.cost, evaluated.schedule, static_cast<int>(i)), stage.memory.total(),
                  1e-9 * stage.memory.total())
          << "stage " << i;
    }
  }
}

}  // namespace
}  // namespace pase
