#include "pase/cluster/hardware_costs.hpp"

#include <gtest/gtest.h>

#include "pase/cluster/cluster.hpp"
#include "pase/cost/cost_math.hpp"

namespace pase::cluster {
namespace {

Tier tier(double bytes_per_s, double latency_s, double efficiency, int sharing) {
  Tier t;
  t.bytes_per_s = bytes_per_s;
  t.latency_s = latency_s;
  t.efficiency = efficiency;
  t.devices_sharing_link = sharing;
  return t;
}

// Two nodes of 8: NVLink-like 100 GB/s inside, one 10 GB/s network card a node shared by 8.
HardwareCluster two_nodes() {
  HardwareCluster cluster;
  cluster.name = "two-nodes";
  cluster.nodes = 2;
  cluster.devices_per_node = 8;
  cluster.device.peak_flop_per_s[Precision::kFp32] = 1e12;
  cluster.device.memory_bytes_per_s = 1e11;
  cluster.device.gemm.points = {{1e6, 0.1}, {1e10, 0.5}};
  cluster.device.convolution.points = {{1e6, 0.2}};
  cluster.device.memory_bound.points = {{1.0, 0.5}};
  cluster.intra_node = tier(100e9, 1e-6, 1.0, 1);
  cluster.inter_node = tier(10e9, 1e-5, 1.0, 8);
  return cluster;
}

TEST(HardwareCostsTest, tier_bandwidth_is_peak_times_efficiency_over_sharing) {
  const Tier t = tier(10e9, 1e-5, 0.8, 2);
  EXPECT_DOUBLE_EQ(t.achieved_bytes_per_s(), 4e9);
  // 1e-5 latency + 4e9 bytes / 4e9 B/s.
  EXPECT_DOUBLE_EQ(transfer_s(t, 4e9), 1.00001);
  EXPECT_EQ(transfer_s(t, 0), 0.0);
}

TEST(HardwareCostsTest, ring_all_reduce_pays_latency_per_step) {
  // 4 devices: 6 steps of (1e-5 + 2e9 / 4e9).
  EXPECT_DOUBLE_EQ(ring_all_reduce_s(tier(10e9, 1e-5, 0.8, 2), 8e9, 4), 6 * 0.50001);
  EXPECT_EQ(ring_all_reduce_s(tier(10e9, 1e-5, 0.8, 2), 8e9, 1), 0.0);
}

TEST(HardwareCostsTest, all_reduce_inside_one_node_is_a_ring_on_the_intra_tier) {
  // 8 devices, 8e9 bytes: 14 steps of (1e-6 + 1e9 / 100e9).
  EXPECT_DOUBLE_EQ(all_reduce_s(two_nodes(), 8e9, 8, 1), 14 * 0.010001);
}

TEST(HardwareCostsTest, hierarchical_all_reduce_across_nodes_shares_the_network_card) {
  // 16 devices on 2 nodes: ring of 8 inside (14 x (1e-6 + 0.01)), then each of the 8 local devices
  // all-reduces its 1e9-byte share across 2 nodes at 10 GB/s / 8: 2 x (1e-5 + 0.5e9 / 1.25e9).
  EXPECT_NEAR(all_reduce_s(two_nodes(), 8e9, 16, 2), 14 * 0.010001 + 2 * 0.40001, 1e-12);
  // 2 devices a node: they share the card two ways: 2 x (1e-6 + 0.04) + 2 x (1e-5 + 2e9 / 5e9).
  EXPECT_NEAR(all_reduce_s(two_nodes(), 8e9, 4, 2), 2 * 0.040001 + 2 * 0.40001, 1e-12);
}

TEST(HardwareCostsTest, roofline_takes_the_slower_of_compute_and_memory) {
  const HardwareCluster cluster = two_nodes();
  // 1e8 FLOP: halfway (in log10) between 1e6 and 1e10, so 30% of 1e12.
  EXPECT_DOUBLE_EQ(roofline_s(cluster, Precision::kFp32, OpKind::kGemm, 1e8, 0), 1e8 / 0.3e12);
  EXPECT_DOUBLE_EQ(roofline_s(cluster, Precision::kFp32, OpKind::kConvolution, 1e8, 0), 1e8 / 0.2e12);
  // 1e8 bytes at half of 100 GB/s = 2 ms, slower than the 0.33 ms of compute.
  EXPECT_DOUBLE_EQ(roofline_s(cluster, Precision::kFp32, OpKind::kGemm, 1e8, 1e8), 2e-3);
  EXPECT_DOUBLE_EQ(roofline_s(cluster, Precision::kFp32, OpKind::kMemoryBound, 0, 1e8), 2e-3);
  EXPECT_THROW(roofline_s(cluster, Precision::kBf16, OpKind::kGemm, 1e8, 0), std::invalid_argument);
}

TEST(HardwareCostsTest, efficiency_curve_is_constant_beyond_its_ends) {
  const EfficiencyCurve curve{{{1e6, 0.1}, {1e10, 0.5}}};
  EXPECT_DOUBLE_EQ(curve.at(1e3), 0.1);
  EXPECT_DOUBLE_EQ(curve.at(1e12), 0.5);
  EXPECT_DOUBLE_EQ(curve.at(1e7), 0.2);
}

TEST(HardwareCostsTest, node_major_placement_of_a_split) {
  EXPECT_EQ(nodes_spanned(8, 1, 8), 1);   // the innermost 8 ways: one node
  EXPECT_EQ(nodes_spanned(2, 4, 8), 1);   // 2 ways 4 apart: devices 0 and 4
  EXPECT_EQ(nodes_spanned(16, 1, 8), 2);  // 16 consecutive devices
  EXPECT_EQ(nodes_spanned(4, 4, 8), 2);   // 0, 4, 8, 12
  EXPECT_EQ(nodes_spanned(2, 8, 8), 2);   // outer dimension over 2 nodes
  EXPECT_EQ(nodes_spanned(8, 8, 8), 8);
  EXPECT_EQ(nodes_spanned(1, 1, 8), 1);
}

TEST(HardwareCostsTest, overlap_exposes_only_what_does_not_fit_behind_compute) {
  EXPECT_EQ(exposed_s(3.0, 5.0), 0.0);
  EXPECT_EQ(exposed_s(5.0, 3.0), 2.0);
}

TEST(HardwareCostsTest, flat_tier_without_latency_is_the_paper_all_reduce_in_seconds) {
  // The paper prices an all-reduce of W 8-byte words at r (W / p) 2 (p - 1) FLOP at the peak rate.
  const pase::Cluster paper{10.0, 16.0};
  const CostMath math(paper.flop_per_word());
  for (int procs : {2, 4, 8, 64}) {
    const double words = 12345.0;
    EXPECT_DOUBLE_EQ(ring_all_reduce_s(tier(16e9, 0.0, 1.0, 1), 8.0 * words, procs),
                     math.all_reduce(words, procs) / paper.peak_flop_per_second());
  }
}

}  // namespace
}  // namespace pase::cluster
