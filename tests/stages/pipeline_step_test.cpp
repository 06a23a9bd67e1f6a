// The step model of a pipeline on a tiny GPT (inputs/gpt.json, 2 layers): one stage equals the plain
// strategy evaluation, micro-batches are gradient accumulation, and a two-stage pipeline's time,
// sends, gradient synchronisation and in-flight memory worked by hand; the activation memory of
// sequence parallelism and recomputation against Korthikanti et al. 2022, Table 2.
#include "pase/stages/pipeline_step.hpp"

#include <gtest/gtest.h>

#include "pase/cluster/hardware_costs.hpp"
#include "pase/cost/step_time.hpp"
#include "pase/model/strategy_step.hpp"
#include "pase/stages/megatron.hpp"

namespace pase {
namespace {

const std::vector<std::string> tiny = {"layers=2", "seq=64", "d_model=32", "heads=4", "d_ff=128", "vocab=96"};
constexpr double s_ = 64, h_ = 32, a_ = 4;

HardwarePricing a100() { return HardwarePricing(cluster::load_cluster("dgx-a100"), cluster::Precision::kBf16); }

PricedNetwork priced(std::int64_t microbatch, std::int64_t devices) {
  return price_network(std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json", tiny, microbatch, devices, a100(),
                       training_recipe("adam", "mixed"), 1e9);
}

std::vector<StageSpec> one_stage(const PricedNetwork& p, const std::vector<int>& configs) {
  return {{{{0, static_cast<int>(p.network.layers.size()) - 1}}, &p, configs}};
}

TEST(PipelineStep, OneStageOneMicrobatchIsThePlainStrategyEvaluation) {
  for (std::int64_t tp : {1, 2, 4}) {
    const PricedNetwork p = priced(8, tp);
    for (const std::vector<int>& configs : {megatron_configs(p.network, p.model, tp, false), p.model.data_parallel}) {
      PipelineOptions options;
      const PipelinePlan plan = evaluate_pipeline(one_stage(p, configs), options);
      const StepBreakdown plain = hardware_step(p.model, configs);
      SCOPED_TRACE("tp = " + std::to_string(tp));
      EXPECT_NEAR(plan.step_time_s(), plain.step_time_s(), 1e-12 * plain.step_time_s());
      EXPECT_NEAR(plan.breakdown.compute_s, plain.compute_s, 1e-12 * plain.compute_s);
      const MemoryBreakdown memory = strategy_memory(p.memory, configs, {});
      EXPECT_NEAR(plan.peak_memory().total(), memory.total(), 1e-9 * memory.total());
      EXPECT_DOUBLE_EQ(plan.bubble_fraction, 0.0);
    }
  }
}

TEST(PipelineStep, MicrobatchesOfOneStageAreGradientAccumulation) {
  const PricedNetwork p = priced(2, 2);  // a batch of 8 in 4 micro-batches of 2
  const std::vector<int> configs = megatron_configs(p.network, p.model, 2, false);
  PipelineOptions options;
  options.schedule = {1, 4, 1};
  const PipelinePlan plan = evaluate_pipeline(one_stage(p, configs), options);
  const StepBreakdown one = hardware_step(p.model, configs);  // one micro-batch, gradients synchronised
  const double t = plan.stages[0].microbatch_time_s;
  EXPECT_NEAR(plan.step_time_s(), one.step_time_s() + 3 * t, 1e-12 * plan.step_time_s());
  // One micro-batch's activations at a time.
  EXPECT_NEAR(plan.stages[0].memory.activations, strategy_memory(p.memory, configs, {}).activations, 1e-6);
  EXPECT_DOUBLE_EQ(plan.stages[0].in_flight_microbatches, 1.0);
}

// Two stages of one GPT layer each (plus the embedding and the head), 4 micro-batches.
TEST(PipelineStep, TwoStagesByHand) {
  const std::int64_t tp = 4;
  const PricedNetwork p = priced(1, tp);
  const std::vector<int> configs = megatron_configs(p.network, p.model, tp, false);
  const auto cuts = megatron_stages(p.network, 2, 1);
  ASSERT_EQ(cuts.size(), 2u);
  ASSERT_EQ(cuts[0].size(), 1u);
  EXPECT_EQ(cuts[0][0].first, 0);
  EXPECT_EQ(p.network.layers[cuts[0][0].last].name, "dec.0.ff.norm");
  EXPECT_EQ(cuts[1][0].last, static_cast<int>(p.network.layers.size()) - 1);
  PipelineOptions options;
  options.schedule = {2, 4, 1};
  options.data_parallel = 2;
  std::vector<StageSpec> stages = {{cuts[0], &p, configs}, {cuts[1], &p, configs}};
  const PipelinePlan plan = evaluate_pipeline(stages, options);

  const HardwarePricing pricing = a100();
  const cluster::HardwareCluster& hw = pricing.cluster();
  // Devices: stage 0's replicas on 0..3 and 4..7 (node 0), stage 1's on 8..15 (node 1): every send
  // crosses nodes, 8 devices of a node sending at once. The one tensor sent (dec.0.ff.norm's output,
  // 1 x 64 x 32, replicated on the 4 devices) goes in quarters over the network, the receivers
  // all-gather it; forward and backward.
  const double whole = 1 * s_ * h_ * 2;
  cluster::Tier network = hw.inter_node;
  network.devices_sharing_link = std::min(8, hw.inter_node.devices_sharing_link);
  const double send = 2 * (cluster::transfer_s(network, whole / 4) + 0.5 * pricing.all_reduce_s(whole, 4, 1, 4));
  EXPECT_TRUE(plan.stages[0].send_crosses_nodes);
  EXPECT_NEAR(plan.stages[0].send_s, send, 1e-15);
  EXPECT_DOUBLE_EQ(plan.stages[1].send_s, 0.0);

  // Each stage's micro-batch: its layers' kernels and blocking collectives, and the re-layouts.
  double activations[2] = {0, 0}, weights[2] = {0, 0};
  std::vector<LayerTime> gradient_sync[2];
  for (int s = 0; s < 2; ++s) {
    double t = 0;
    for (int v = cuts[s][0].first; v <= cuts[s][0].last; ++v) {
      const LayerTime& x = p.model.times[v][configs[v]];
      t += x.compute_s + x.communication_s;
      activations[s] += p.memory.keep[v][configs[v]].activations;
      weights[s] += p.memory.keep[v][configs[v]].weights;
      // Across the 2 replicas, 4 devices apart on one node, its 8 devices synchronising at once.
      const double bytes = p.memory.keep[v][configs[v]].gradients;
      const double across = pricing.all_reduce_s(bytes, 2, 1, 8);
      gradient_sync[s].push_back({.backward_s = x.backward_s,
                                  .gradient_s = x.gradient_s + across,
                                  .gradient_latency_s = x.gradient_latency_s + (across > 0 ? pricing.all_reduce_latency_s(2, 1) : 0.0),
                                  .gradient_bytes = x.gradient_bytes + (across > 0 ? bytes : 0.0)});
    }
    for (const auto& e : p.model.problem.edges)
      if (e.from >= cuts[s][0].first && e.to <= cuts[s][0].last)
        t += e.cost(configs[e.from], configs[e.to], p.model.problem.config_count(e.to));
    EXPECT_NEAR(plan.stages[s].microbatch_time_s, t + plan.stages[s].send_s, 1e-12 * t);
    // In DDP's buckets (the bucketing itself: tests/cost/pricing_test.cpp).
    EXPECT_NEAR(plan.stages[s].gradient_sync_s, bucketed_gradient_sync(gradient_sync[s]).communication_s, 1e-15);
    EXPECT_NEAR(plan.stages[s].memory.weights, weights[s], 1e-6);
  }
  // 1F1B: both stages once to fill and drain, the slower for the other 3 micro-batches.
  const double t0 = plan.stages[0].microbatch_time_s, t1 = plan.stages[1].microbatch_time_s;
  EXPECT_NEAR(plan.pipeline_time_s, t0 + t1 + 3 * std::max(t0, t1), 1e-15);
  EXPECT_DOUBLE_EQ(plan.bubble_fraction, 1.0 / 4.0);
  // The first stage holds min(m, S) = 2 micro-batches' activations, the last one.
  EXPECT_NEAR(plan.stages[0].memory.activations, 2 * activations[0], 1e-6);
  EXPECT_NEAR(plan.stages[1].memory.activations, 1 * activations[1], 1e-6);
  EXPECT_EQ(plan.devices(), 16);
  EXPECT_NEAR(plan.step_time_s(), plan.breakdown.step_time_s(), 1e-15);
}

// One GPT layer's activations (dec.0.*) in 16-bit, micro-batch b = 1, as Korthikanti et al. 2022
// Table 2 gives them less the dropout masks pase's GPT does not have (tests/model/model_memory_test.cpp).
// Also with the sequence as long as d_model (Llama-7B's 4096 and 4096): sizes alone cannot tell them.
class SequenceLength : public testing::TestWithParam<std::int64_t> {};

TEST_P(SequenceLength, SequenceParallelismAndRecomputationKeepWhatKorthikantiTable2Says) {
  const std::int64_t tp = 4;
  const double s = static_cast<double>(GetParam());
  const double t = 4, b = 1, sbh = s * b * h_;
  std::vector<std::string> shape = tiny;
  shape[1] = "seq=" + std::to_string(GetParam());
  const PricedNetwork p = price_network(std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json", shape, 1, tp, a100(),
                                        training_recipe("adam", "mixed"), 1e9);
  const auto blocks = transformer_layers(p.network);
  ASSERT_EQ(blocks.size(), 2u);
  // One stage of the first transformer layer only (the pipeline check of the cover is not needed).
  auto activations = [&](bool sequence_parallel, Recompute recompute) {
    PipelineOptions options;
    options.sequence_parallel = sequence_parallel;
    options.recompute = recompute;
    const StageSpec spec{{blocks[0]}, &p, megatron_configs(p.network, p.model, tp, sequence_parallel)};
    return price_stage(spec, options, 0, tp).memory.activations;
  };
  // Table 2 without dropout: sbh (8 + 24 / t + 4 a s / (h t)) bytes without sequence parallelism,
  // sbh (8 / t + 24 / t + 4 a s / (h t)) with it (everything split t ways).
  EXPECT_NEAR(activations(false, Recompute::none), sbh * (8 + 24 / t + 4 * a_ * s / (h_ * t)), 1e-6);
  EXPECT_NEAR(activations(true, Recompute::none), sbh * (32 / t + 4 * a_ * s / (h_ * t)), 1e-6);
  // Selective: the a s^2 b terms go.
  EXPECT_NEAR(activations(false, Recompute::selective), sbh * (8 + 24 / t), 1e-6);
  EXPECT_NEAR(activations(true, Recompute::selective), sbh * 32 / t, 1e-6);
  // Full: the layer's input, 2 sbh (2 sbh / t with sequence parallelism), and, while it runs again,
  // its whole activations once.
  EXPECT_NEAR(activations(false, Recompute::full), 2 * sbh + activations(false, Recompute::none), 1e-6);
  EXPECT_NEAR(activations(true, Recompute::full), 2 * sbh / t + activations(true, Recompute::none), 1e-6);
  int cores = 0;
  for (const Layer& layer : p.network.layers) cores += attention_core(layer, GetParam()) ? 1 : 0;
  EXPECT_EQ(cores, 6);  // scores, softmax, weighted sum in each of the 2 layers
}

INSTANTIATE_TEST_SUITE_P(PipelineStep, SequenceLength, testing::Values(64, 32));

TEST(PipelineStep, RecomputationAddsTheForwardPass) {
  const std::int64_t tp = 2;
  const PricedNetwork p = priced(1, tp);
  const std::vector<int> configs = megatron_configs(p.network, p.model, tp, false);
  PipelineOptions none, full, selective;
  full.recompute = Recompute::full;
  selective.recompute = Recompute::selective;
  const auto stages = one_stage(p, configs);
  const StagePlan a = price_stage(stages[0], none, 0, tp), b = price_stage(stages[0], full, 0, tp),
                  c = price_stage(stages[0], selective, 0, tp);
  double forward = 0, core = 0;
  for (const LayerRange& r : transformer_layers(p.network))
    for (int v = r.first; v <= r.last; ++v) {
      const LayerTime& x = p.model.times[v][configs[v]];
      forward += x.compute_s - x.backward_s + x.communication_s;
      if (attention_core(p.network.layers[v], 64)) core += x.compute_s - x.backward_s + x.communication_s;
    }
  EXPECT_NEAR(b.microbatch_time_s - a.microbatch_time_s, forward, 1e-15);
  EXPECT_NEAR(c.microbatch_time_s - a.microbatch_time_s, core, 1e-15);
  EXPECT_GT(core, 0.0);
  EXPECT_LT(core, forward);
  // The core is the scores, the softmax and the weighted sum: three layers a transformer layer.
  int cores = 0;
  for (const Layer& layer : p.network.layers) cores += attention_core(layer, 64) ? 1 : 0;
  EXPECT_EQ(cores, 6);
}

TEST(PipelineStep, SequenceParallelismCostsNoMoreCommunicationThanTensorParallelism) {
  const std::int64_t tp = 4;
  const PricedNetwork p = priced(1, tp);
  PipelineOptions plain, sp;
  sp.sequence_parallel = true;
  const StagePlan a = price_stage(one_stage(p, megatron_configs(p.network, p.model, tp, false))[0], plain, 0, tp);
  const StagePlan b = price_stage(one_stage(p, megatron_configs(p.network, p.model, tp, true))[0], sp, 0, tp);
  EXPECT_NEAR(b.communication_s, a.communication_s, 1e-3 * a.communication_s);
  EXPECT_LT(b.memory.activations, a.memory.activations);
}

// Interleaved 1F1B: 4 transformer layers in 4 chunks, chunks 0 and 2 on stage 0, 1 and 3 on stage 1.
TEST(PipelineStep, InterleavedStagesByHand) {
  const std::int64_t tp = 4;
  std::vector<std::string> four = tiny;
  four[0] = "layers=4";
  const PricedNetwork p = price_network(std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json", four, 1, tp, a100(),
                                        training_recipe("adam", "mixed"), 0);
  const std::vector<int> configs = megatron_configs(p.network, p.model, tp, false);
  const auto cuts = megatron_stages(p.network, 2, 2);
  PipelineOptions options;
  options.schedule = {2, 4, 2};
  const PipelinePlan plan = evaluate_pipeline({{cuts[0], &p, configs}, {cuts[1], &p, configs}}, options);
  // Both stages on node 0 (devices 0..3 and 4..7): the sends go over NVLink. Stage 0 hands on two
  // chunks' outputs, stage 1 one.
  const HardwarePricing pricing = a100();
  const double whole = s_ * h_ * 2;
  const double one = 2 * (cluster::transfer_s(pricing.cluster().intra_node, whole / 4) +
                          0.5 * pricing.all_reduce_s(whole, 4, 1, 4));
  EXPECT_FALSE(plan.stages[0].send_crosses_nodes);
  EXPECT_NEAR(plan.stages[0].send_s, 2 * one, 1e-15);
  EXPECT_NEAR(plan.stages[1].send_s, one, 1e-15);
  // sum(t) / v + (m - 1 / v) max(t).
  const double t0 = plan.stages[0].microbatch_time_s, t1 = plan.stages[1].microbatch_time_s;
  EXPECT_NEAR(plan.pipeline_time_s, (t0 + t1) / 2 + 3.5 * std::max(t0, t1), 1e-15);
  EXPECT_DOUBLE_EQ(plan.bubble_fraction, 1.0 / 8.0);
  // The first stage holds (2 (S - 1) + (v - 1) S + 1) / v = 2.5 micro-batches of both its chunks.
  double kept = 0;
  for (const LayerRange& r : cuts[0])
    for (int v = r.first; v <= r.last; ++v) kept += p.memory.keep[v][configs[v]].activations;
  EXPECT_DOUBLE_EQ(plan.stages[0].in_flight_microbatches, 2.5);
  EXPECT_NEAR(plan.stages[0].memory.activations, 2.5 * kept, 1e-6);
}

TEST(PipelineStep, RefusesStagesThatDoNotCoverTheLayers) {
  const PricedNetwork p = priced(1, 1);
  const std::vector<int> configs(p.network.layers.size(), 0);
  PipelineOptions options;
  options.schedule = {2, 4, 1};
  EXPECT_THROW(evaluate_pipeline({{{{0, 3}}, &p, configs}, {{{5, 30}}, &p, configs}}, options), std::invalid_argument);
  options.schedule = {1, 0, 1};
  EXPECT_THROW(evaluate_pipeline(one_stage(p, configs), options), std::invalid_argument);
}

}  // namespace
}  // namespace pase
