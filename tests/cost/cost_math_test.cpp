#include "pase/cost/cost_math.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "pase/cluster/cluster.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::near_relative;

TEST(ClusterTest, flop_per_word_is_peak_flops_over_words_per_second) {
  // 10 TFLOP/s and 16 GB/s = 2 G words/s: 10000 GFLOP/s / 2 G words/s = 5000 FLOP per word.
  EXPECT_EQ(Cluster{}.flop_per_word(), 5000.0);
  // 0.02 TFLOP/s = 20 GFLOP/s over 2 G words/s = 10.
  EXPECT_EQ((Cluster{0.02, 16.0}.flop_per_word()), 10.0);
  EXPECT_EQ(Cluster{}.peak_flop_per_second(), 10e12);
}

TEST(ClusterTest, validate_rejects_non_positive_or_non_finite_numbers) {
  EXPECT_NO_THROW(validate(Cluster{}));
  EXPECT_TRUE(test::throws_naming([] { validate(Cluster{0.0, 16.0}); }, "--flops"));
  EXPECT_TRUE(test::throws_naming([] { validate(Cluster{-1.0, 16.0}); }, "--flops"));
  EXPECT_TRUE(test::throws_naming([] { validate(Cluster{10.0, 0.0}); }, "--bw"));
  EXPECT_TRUE(test::throws_naming([] { validate(Cluster{10.0, std::numeric_limits<double>::infinity()}); }, "--bw"));
}

TEST(CostMathTest, words_and_all_reduce) {
  const CostMath math(10.0);
  EXPECT_EQ(math.words(3.0), 30.0);
  // 12 words among 4 devices: 2 * (4 - 1) steps of 12 / 4 words = 18 words = 180 FLOP.
  EXPECT_EQ(math.all_reduce(12.0, 4.0), 180.0);
  // One device: nothing to reduce.
  EXPECT_EQ(math.all_reduce(12.0, 1.0), 0.0);
}

TEST(CostMathTest, gemm_counts_three_products_and_three_all_reduces) {
  const CostMath math(10.0);
  // Per device 2 x 3 x 4, nothing split: 3 GEMMs of 24 = 72.
  EXPECT_EQ(math.gemm(1, 2, 3, 4, 1, 1, 1, 0), 72.0);
  // k split 2 ways: + all-reduce of the 2 x 3 output among 2 = 10 * (6 / 2) * 2 = 60 -> 132.
  EXPECT_EQ(math.gemm(1, 2, 3, 4, 1, 1, 2, 0), 132.0);
  // n split 2 ways: + all-reduce of the 2 x 4 input gradient = 10 * (8 / 2) * 2 = 80 -> 152.
  EXPECT_EQ(math.gemm(1, 2, 3, 4, 1, 2, 1, 0), 152.0);
  // m split 2 ways: + all-reduce of the 3 x 4 weight gradient = 10 * (12 / 2) * 2 = 120 -> 192.
  EXPECT_EQ(math.gemm(1, 2, 3, 4, 2, 1, 1, 0), 192.0);
  // One pointwise op: + 3 * 1 * (2 * 3) = 18 -> 132 + 18 = 150.
  EXPECT_EQ(math.gemm(1, 2, 3, 4, 1, 1, 2, 1), 150.0);
  // Two batches per device double everything: 300.
  EXPECT_EQ(math.gemm(2, 2, 3, 4, 1, 1, 2, 1), 300.0);
}

TEST(CostMathTest, halo_adds_the_window_only_along_split_dimensions) {
  const CostMath math(10.0);
  // Part (b=1, c=2, h=2, w=4), window 3 x 1.
  EXPECT_EQ(math.halo(1, 2, 2, 4, false, false, 3, 1), 0.0);
  // h split: (2 + 3) * 4 - 2 * 4 = 12 elements per channel, 2 channels: 24 words -> 240.
  EXPECT_EQ(math.halo(1, 2, 2, 4, true, false, 3, 1), 240.0);
  // w split: 2 * (4 + 1) - 8 = 2 per channel -> 4 words -> 40.
  EXPECT_EQ(math.halo(1, 2, 2, 4, false, true, 3, 1), 40.0);
  // both: 5 * 5 - 8 = 17 per channel, batch 3 -> 17 * 2 * 3 = 102 words -> 1020.
  EXPECT_EQ(math.halo(3, 2, 2, 4, true, true, 3, 1), 1020.0);
}

TEST(WordsNeededTest, nothing_when_the_target_already_holds_its_part) {
  EXPECT_EQ(words_needed({2, 6}, {2, 6}, 2, 2), 0.0);
  // The target needs less than the source holds, on no more devices: 2 x 3 inside 4 x 6.
  EXPECT_EQ(words_needed({4, 6}, {2, 3}, 1, 1), 0.0);
}

TEST(WordsNeededTest, the_part_outside_the_overlap) {
  // Source parts 2 x 6, target parts 4 x 3, both on 2 devices: needs 12, holds min(4,2) * min(3,6) = 6.
  EXPECT_EQ(words_needed({2, 6}, {4, 3}, 2, 2), 6.0);
  // The source on more devices (4) than the target (1): 4 x 6 = 24 needed, 1 x 6 held -> 18.
  EXPECT_EQ(words_needed({1, 6}, {4, 6}, 4, 1), 18.0);
}

TEST(WordsNeededTest, everything_when_the_target_uses_more_devices) {
  // The target on 2 devices, the source on 1: some target device holds nothing, so 2 x 6 = 12.
  EXPECT_EQ(words_needed({4, 6}, {2, 6}, 1, 2), 12.0);
}

}  // namespace
}  // namespace pase
