// The hardware pricing of a layer's Work against values worked by hand: node-major placement, the
// all-reduce on one and several nodes with a shared network card, and the operators the hardware
// model prices as frameworks run them (BatchNorm per channel, softmax backward element-wise,
// embedding as a gather); and the step time with gradient all-reduces behind the backward pass.
#include "pase/cost/pricing.hpp"

#include <gtest/gtest.h>

#include "pase/cost/step_time.hpp"
#include "support/operators.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::Attrs;
using test::near_relative;

// 2 nodes of 4 devices; 1e12 FLOP/s fp32 at 100% for every size; 1e11 B/s memory; inside a node
// 10 GB/s, 1 us; between nodes 8 GB/s shared by 4, 10 us; every efficiency 1.
cluster::HardwareCluster flat_cluster() {
  cluster::HardwareCluster c;
  c.name = "hand";
  c.nodes = 2;
  c.devices_per_node = 4;
  c.device.peak_flop_per_s = {{cluster::Precision::kFp32, 1e12}};
  c.device.memory_bytes = 1e10;
  c.device.memory_bytes_per_s = 1e11;
  c.device.gemm.points = {{1.0, 1.0}};
  c.device.convolution.points = {{1.0, 1.0}};
  c.device.memory_bound.points = {{1.0, 1.0}};
  c.intra_node = {.bytes_per_s = 10e9, .latency_s = 1e-6, .efficiency = 1.0, .devices_sharing_link = 1};
  c.inter_node = {.bytes_per_s = 8e9, .latency_s = 10e-6, .efficiency = 1.0, .devices_sharing_link = 4};
  return c;
}

TEST(PricingTest, node_major_placement_puts_the_last_dimension_inside_a_node) {
  const HardwarePricing pricing(flat_cluster(), cluster::Precision::kFp32);
  EXPECT_EQ(pricing.nodes_spanned({2, 4}, {1}), 1);     // devices 0..3
  EXPECT_EQ(pricing.nodes_spanned({2, 4}, {0}), 2);     // devices 0 and 4
  EXPECT_EQ(pricing.nodes_spanned({2, 4}, {0, 1}), 2);  // all 8
  EXPECT_EQ(pricing.nodes_spanned({2, 2}, {0}), 1);     // devices 0 and 2
  EXPECT_EQ(pricing.nodes_spanned({8, 1}, {0}), 2);
  // 3 ways innermost, 2 outer (6 devices, nodes of 4): device 0's group 0..2 lies in node 0, the
  // second group 3..5 straddles nodes 0 and 1; the collective waits for the straddling group.
  EXPECT_EQ(pricing.nodes_spanned({2, 3}, {1}), 2);
  EXPECT_EQ(pricing.nodes_spanned({2, 3}, {0}), 2);  // devices 0 and 3; 2 and 5
  EXPECT_EQ(pricing.nodes_spanned({1, 3}, {1}), 1);  // one group, devices 0..2
  EXPECT_EQ(pricing.nodes_spanned({4, 3}, {0}), 3);  // 0, 3, 6, 9 on nodes 0, 0, 1, 2
  EXPECT_EQ(pricing.devices_used_per_node({2, 1}), 2);
  EXPECT_EQ(pricing.devices_used_per_node({8, 1}), 4);
}

TEST(PricingTest, all_reduce_inside_a_node_and_across_nodes_sharing_the_card) {
  const HardwarePricing pricing(flat_cluster(), cluster::Precision::kFp32);
  // Ring of 4 inside a node: 2 * 3 steps of (1 us + 1e9 / 4 / 10e9 s).
  EXPECT_TRUE(near_relative(pricing.all_reduce_s(1e9, 4, 1, 4), 6 * (1e-6 + 0.025)));
  // 8 devices on 2 nodes, 4 of each node crossing at once: ring of 4 inside, then a ring of 2
  // nodes of each device's 1e9 / 4 share at 8e9 / 4 B/s: 2 steps of (10 us + 1.25e8 / 2e9).
  EXPECT_TRUE(near_relative(pricing.all_reduce_s(1e9, 8, 2, 4), 6 * (1e-6 + 0.025) + 2 * (10e-6 + 0.0625)));
  // One device of each node crossing: the card is not shared.
  EXPECT_TRUE(near_relative(pricing.all_reduce_s(1e9, 2, 2, 1), 2 * (10e-6 + 0.5e9 / 8e9)));
}

TEST(PricingTest, an_all_reduce_takes_each_tiers_compute_loss_from_the_device) {
  cluster::HardwareCluster c = flat_cluster();
  EXPECT_EQ(HardwarePricing(c, cluster::Precision::kFp32).all_reduce_compute_loss_s(1e9, 8, 2, 4), 0.0);
  c.intra_node.overlap_compute_loss = 1.0;
  c.inter_node.overlap_compute_loss = 0.25;
  const HardwarePricing pricing(c, cluster::Precision::kFp32);
  // The hierarchical all-reduce above: the ring inside the node at 1, the ring across at 0.25.
  EXPECT_TRUE(near_relative(pricing.all_reduce_compute_loss_s(1e9, 8, 2, 4),
                            6 * (1e-6 + 0.025) + 0.25 * 2 * (10e-6 + 0.0625)));
  EXPECT_TRUE(near_relative(pricing.all_reduce_compute_loss_s(1e9, 4, 1, 4), 6 * (1e-6 + 0.025)));
  // A layer's weight-gradient all-reduce carries it: batch split 4 ways inside a node.
  const auto fc = make_operator("FC", {{4096, 1024}}, Attrs().integer("units", 1024).get());
  const LayerTime t = fc->times({{4, 1, 1}}, pricing)[0];
  EXPECT_GT(t.gradient_s, 0.0);
  EXPECT_TRUE(near_relative(t.gradient_compute_loss_s, t.gradient_s));
}

TEST(PricingTest, gemm_at_two_flop_per_multiply_add_and_its_gradient_all_reduce) {
  const HardwarePricing pricing(flat_cluster(), cluster::Precision::kFp32);
  // FC of 4096 x 1024 -> 1024 units, batch split 4 ways inside a node (compute-bound).
  const auto fc = make_operator("FC", {{4096, 1024}}, Attrs().integer("units", 1024).get());
  const LayerTime t = fc->times({{4, 1, 1}}, pricing)[0];
  const double flop = 3 * 2.0 * 1024 * 1024 * 1024;
  EXPECT_TRUE(near_relative(t.compute_s, flop / 1e12));
  EXPECT_TRUE(near_relative(t.backward_s, flop / 1e12 * 2 / 3));
  EXPECT_EQ(t.communication_s, 0.0);
  // The weight gradient, 1024 x 1024 fp32, ring of 4.
  EXPECT_TRUE(near_relative(t.gradient_s, 6 * (1e-6 + 4.0 * 1024 * 1024 / 4 / 10e9)));
  EXPECT_TRUE(near_relative(t.gradient_latency_s, 6 * 1e-6));  // what a bucket pays once
  EXPECT_DOUBLE_EQ(t.gradient_bytes, 4.0 * 1024 * 1024);
  // bf16 halves the bytes.
  cluster::HardwareCluster half = flat_cluster();
  half.device.peak_flop_per_s[cluster::Precision::kBf16] = 2e12;
  const LayerTime b = fc->times({{4, 1, 1}}, HardwarePricing(half, cluster::Precision::kBf16))[0];
  EXPECT_TRUE(near_relative(b.compute_s, flop / 2e12));
  EXPECT_TRUE(near_relative(b.gradient_s, 6 * (1e-6 + 2.0 * 1024 * 1024 / 4 / 10e9)));
}

TEST(PricingTest, a_gemm_of_few_rows_is_priced_at_its_measured_rows_family) {
  // Layers of 8 rows measured at 25% of peak: an FC of batch 16 split 2 ways (8 rows a device)
  // gets that; the same FC whole (16 rows, between the family and the square curve) more.
  cluster::HardwareCluster c = flat_cluster();
  c.device.gemm_by_rows = {{8, {{{1.0, 0.25}}}}};
  const HardwarePricing pricing(c, cluster::Precision::kFp32);
  const auto fc = make_operator("FC", {{16, 1024}}, Attrs().integer("units", 1024).get());
  const double flop = 3 * 2.0 * 8 * 1024 * 1024;
  EXPECT_TRUE(near_relative(fc->times({{2, 1, 1}}, pricing)[0].compute_s, flop / (1e12 * 0.25)));
  const double whole = fc->times({{1, 1, 1}}, pricing)[0].compute_s;
  EXPECT_GT(whole, 2 * flop / 1e12);
  EXPECT_LT(whole, 2 * flop / (1e12 * 0.25));
}

TEST(PricingTest, batch_norm_statistics_are_per_channel) {
  // (b, c, h, w) = (8, 4, 16, 16), batch split 2 ways: the prototype all-reduces c h w = 1024 words a
  // row; the hardware model the 4 channels' statistics.
  const auto bn = make_operator("BatchNorm", {{8, 4, 16, 16}}, Attrs().get());
  const Work w = bn->work({2, 1, 1, 1});
  ASSERT_EQ(w.collectives.size(), 2u);
  EXPECT_EQ(w.collectives[0].paper_words, 4.0 * 16 * 16);
  EXPECT_EQ(w.collectives[0].elements, 4.0);
  EXPECT_EQ(w.collectives[0].group, (Dims{0, 2, 3}));
  EXPECT_EQ(w.collectives[1].elements, 8.0);  // scale and bias gradients
  EXPECT_TRUE(w.collectives[1].gradient);
  // LayerNorm keeps the prototype's rows.
  const auto ln = make_operator("Norm", {{8, 512}}, Attrs().get());
  const Work l = ln->work({2, 2});
  EXPECT_EQ(l.collectives[0].elements, 4.0);
  EXPECT_EQ(l.collectives[0].group, (Dims{1}));
}

TEST(PricingTest, softmax_backward_is_element_wise_not_a_jacobian) {
  const auto sm = make_operator("Softmax", {{4, 256, 256}}, Attrs().integer("axis", 2).get());
  const Work w = sm->work({1, 1, 2});
  // The prototype's Jacobian product: width FLOP per element and an all-reduce of rows x width.
  EXPECT_EQ(w.streams[1].paper_flop, 4.0 * 256 * 128 * 256);
  EXPECT_EQ(w.streams[1].elements, 0.0);
  EXPECT_EQ(w.collectives[1].paper_words, 4.0 * 256 * 256);
  EXPECT_EQ(w.collectives[1].elements, 0.0);
  const HardwarePricing pricing(flat_cluster(), cluster::Precision::kFp32);
  const LayerTime t = sm->times({{1, 1, 1}}, pricing)[0];
  // Eight memory passes over 4 x 256 x 256 fp32 at 1e11 B/s, nothing else.
  EXPECT_TRUE(near_relative(t.compute_s, 8 * 4.0 * 256 * 256 * 4 / 1e11));
}

TEST(PricingTest, embedding_is_a_gather_and_its_table_gradient) {
  const auto e = make_operator("Embedding", {{8, 16}}, Attrs().integer("vocab", 1000).integer("dim", 64).get());
  const HardwarePricing pricing(flat_cluster(), cluster::Precision::kFp32);
  const Config dp{4, 1, 1, 1};  // letters b l e v
  const LayerTime t = e->times({dp}, pricing)[0];
  // No one-hot GEMM: five memory passes over the 2 x 16 x 64 gathered rows.
  EXPECT_TRUE(near_relative(t.compute_s, 5 * 2.0 * 16 * 64 * 4 / 1e11));
  // The dense 1000 x 64 table gradient all-reduced among the 4 batch parts.
  EXPECT_TRUE(near_relative(t.gradient_s, 6 * (1e-6 + 1000.0 * 64 * 4 / 4 / 10e9)));
  // The paper model keeps its one-hot GEMM.
  EXPECT_GT(e->costs({dp}, CostMath(10.0))[0], 3.0 * 2 * 16 * 1000 * 64);
}

TEST(StepTimeTest, gradient_all_reduces_run_behind_the_backward_pass) {
  // Forward order A, B. Backward runs B (2 s) then A (2 s); B's all-reduce (4 s) runs from 2 to 6,
  // A's (1 s) from 6 to 7; the backward pass ends at 4: 3 s exposed, plus the 0.5 s re-layouts.
  const std::vector<LayerTime> layers = {{.compute_s = 3, .backward_s = 2, .communication_s = 0, .gradient_s = 1},
                                         {.compute_s = 3, .backward_s = 2, .communication_s = 0, .gradient_s = 4}};
  const StepBreakdown s = overlapped_step(layers, 0.5);
  EXPECT_DOUBLE_EQ(s.compute_s, 6.0);
  EXPECT_DOUBLE_EQ(s.communication_s, 5.5);
  EXPECT_DOUBLE_EQ(s.exposed_communication_s, 3.5);
  EXPECT_DOUBLE_EQ(s.step_time_s(), 9.5);
  // The last layer's all-reduce hidden behind the first layer's long backward pass; blocking
  // communication always counts.
  const StepBreakdown hidden = overlapped_step({{.compute_s = 30, .backward_s = 20, .communication_s = 1, .gradient_s = 0},
                                                {.compute_s = 2, .backward_s = 1, .communication_s = 0, .gradient_s = 5}},
                                               0);
  EXPECT_DOUBLE_EQ(hidden.exposed_communication_s, 1.0);
}

TEST(StepTimeTest, gradients_are_all_reduced_in_ddp_buckets_paying_the_latency_once) {
  // Forward order A..E, 10 MiB of gradients each, 1 s to all-reduce alone of which 0.4 s is latency;
  // backward 1 s a layer: E ends at 1 s, D at 2, ..., A at 5. DDP's first bucket closes at 1 MiB: E
  // alone, 1 to 2 s. The next closes at 25 MiB: D, C, B (30 MiB) at 4 s, one message of
  // 3 - 3 * 0.4 + 0.4 = 2.2 s, 4 to 6.2 s. A is what is left at the end, 6.2 to 7.2 s: 2.2 s exposed.
  const double mib = 1024.0 * 1024;
  const LayerTime ten{.compute_s = 1.5, .backward_s = 1, .communication_s = 0, .gradient_s = 1,
                      .gradient_latency_s = 0.4, .gradient_bytes = 10 * mib};
  const StepBreakdown s = overlapped_step({ten, ten, ten, ten, ten}, 0);
  EXPECT_DOUBLE_EQ(s.compute_s, 7.5);
  EXPECT_NEAR(s.communication_s, 1 + 2.2 + 1, 1e-12);
  EXPECT_NEAR(s.exposed_communication_s, 2.2, 1e-12);
  // A gradient of unknown size (0 bytes) is a bucket of its own: forward A, B; B's all-reduce runs
  // from 1 to 2 s, A's from 2 to 3 s, after a 2 s backward pass: 1 s exposed.
  const LayerTime unknown{.compute_s = 1.5, .backward_s = 1, .communication_s = 0, .gradient_s = 1};
  EXPECT_NEAR(overlapped_step({unknown, unknown}, 0).exposed_communication_s, 1.0, 1e-12);
}

TEST(StepTimeTest, hidden_all_reduces_take_their_compute_loss_from_the_backward_pass) {
  // The first test's layers, with all-reduces that take 0.5 s of compute a second of their own
  // (overlap_compute_loss 0.5): B's (4 s, loss 2 s) runs from 2 to 6 s, 2 s of it before the
  // backward pass ends at 4 s, so it takes 2 / 4 * 2 = 1 s; A's (1 s) starts at 6 s, after the
  // backward pass, and takes nothing. Exposed stays 3 s + 0.5 s of re-layouts.
  const std::vector<LayerTime> layers = {
      {.compute_s = 3, .backward_s = 2, .communication_s = 0, .gradient_s = 1, .gradient_compute_loss_s = 0.5},
      {.compute_s = 3, .backward_s = 2, .communication_s = 0, .gradient_s = 4, .gradient_compute_loss_s = 2}};
  const StepBreakdown s = overlapped_step(layers, 0.5);
  EXPECT_DOUBLE_EQ(s.overlap_compute_loss_s, 1.0);
  EXPECT_DOUBLE_EQ(s.compute_s, 7.0);
  EXPECT_DOUBLE_EQ(s.exposed_communication_s, 3.5);
  EXPECT_DOUBLE_EQ(s.step_time_s(), 10.5);
  // A loss of 1 (a CPU whose cores run the collective) makes a hidden all-reduce as slow as a serial
  // one: 1 s of backward behind which a 0.5 s all-reduce hides entirely costs 1.5 s.
  const StepBreakdown cpu = overlapped_step(
      {{.compute_s = 30, .backward_s = 20, .communication_s = 0, .gradient_s = 0},
       {.compute_s = 2, .backward_s = 1, .communication_s = 0, .gradient_s = 0.5, .gradient_compute_loss_s = 0.5}},
      0);
  EXPECT_DOUBLE_EQ(cpu.exposed_communication_s, 0.0);
  EXPECT_DOUBLE_EQ(cpu.step_time_s(), 32.5);
  // Fused into one bucket, the loss scales with the bucket's time (its latency paid once): two
  // 0.6 MiB gradients of 1 s, 0.4 s of it latency, close DDP's first bucket (1 MiB) together and
  // fuse to 1.6 s, loss (1 + 1) * 1.6 / 2 = 1.6 s, all hidden behind the first layer's 20 s.
  const LayerTime g{.compute_s = 0, .backward_s = 0, .communication_s = 0, .gradient_s = 1,
                    .gradient_latency_s = 0.4, .gradient_bytes = 0.6 * 1024 * 1024, .gradient_compute_loss_s = 1};
  const LayerTime first{.compute_s = 20, .backward_s = 20, .communication_s = 0};
  EXPECT_NEAR(overlapped_step({first, g, g}, 0).overlap_compute_loss_s, 1.6, 1e-12);
}

}  // namespace
}  // namespace pase
