// Conv, Pooling, FC, Einsum, MatMul, Embedding and LSTM: iteration spaces, configurations, costs
// worked by hand with r = 10 FLOP per word, tensor splits, and shape errors.
#include <gtest/gtest.h>

#include "support/operators.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::Attrs;
using test::cost_of;
using test::make;
using test::near_relative;
using test::throws_naming;

// ---------------------------------------------------------------------------------------------- Conv

// Image (b=4, c=2, h=5, w=5), filter [n=4, c=2, r=3, s=3], stride 1: output 3 x 3.
std::unique_ptr<Operator> small_conv(int pointwise_ops = 0) {
  return make("Conv", {{4, 2, 5, 5}}, Attrs().ints("filter", {4, 2, 3, 3}).integer("pointwise_ops", pointwise_ops));
}

TEST(ConvTest, iteration_space_and_output) {
  const auto conv = small_conv();
  EXPECT_EQ(conv->letters(), "bchwrsn");
  EXPECT_EQ(conv->domain(), Shape({4, 2, 3, 3, 3, 3, 4}));
  EXPECT_EQ(conv->output_shapes(), std::vector<Shape>({{4, 4, 3, 3}}));
  EXPECT_EQ(conv->input_shapes(), std::vector<Shape>({{4, 2, 5, 5}}));
}

TEST(ConvTest, configurations_never_split_h_and_w) {
  // Splits with cutoff 1: b {1,2,4}, c {1,2}, h and w {1}, r {1,3}, s {1,3}, n {1,2,4}; at most 2 devices.
  const std::vector<Config> expected = {
      {1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 2}, {1, 2, 1, 1, 1, 1, 1}, {2, 1, 1, 1, 1, 1, 1}};
  EXPECT_EQ(small_conv()->configs(2, 1), expected);
  for (const auto& c : small_conv()->configs(64, 1)) {
    EXPECT_EQ(c[2], 1);
    EXPECT_EQ(c[3], 1);
  }
  // Cutoff 4: 4/2 = 2 < 4 for b and n, 2 and 3 are below 4: nothing can be split.
  EXPECT_EQ(small_conv()->configs(8, 4), std::vector<Config>({{1, 1, 1, 1, 1, 1, 1}}));
}

TEST(ConvTest, cost_is_a_gemm_of_m_bhw_n_and_k_crs) {
  const auto conv = small_conv();
  // GEMM m = b*h*w = 36, n = 4, k = c*r*s = 18.
  // unsplit: 3 * 36 * 4 * 18 = 7776
  EXPECT_EQ(cost_of(*conv, {1, 1, 1, 1, 1, 1, 1}), 7776.0);
  // b split 2 (m): 3 * 18 * 4 * 18 = 3888, weight-gradient all-reduce of n*k = 72 among 2:
  // 10 * 36 * 2 = 720 -> 4608
  EXPECT_EQ(cost_of(*conv, {2, 1, 1, 1, 1, 1, 1}), 4608.0);
  // n split 2: 3 * 36 * 2 * 18 = 3888, input-gradient all-reduce of m*k = 648 among 2: 6480 -> 10368
  EXPECT_EQ(cost_of(*conv, {1, 1, 1, 1, 1, 1, 2}), 10368.0);
  // c split 2 (k): 3 * 36 * 4 * 9 = 3888, output all-reduce of m*n = 144 among 2: 1440 -> 5328
  EXPECT_EQ(cost_of(*conv, {1, 2, 1, 1, 1, 1, 1}), 5328.0);
  // r split 3 (k): 3 * 36 * 4 * 6 = 2592, output all-reduce of 144 among 3: 10 * 48 * 4 = 1920 -> 4512
  EXPECT_EQ(cost_of(*conv, {1, 1, 1, 1, 3, 1, 1}), 4512.0);
  // One pointwise op: + 3 * 36 * 4 = 432 -> 8208
  EXPECT_EQ(cost_of(*small_conv(1), {1, 1, 1, 1, 1, 1, 1}), 8208.0);
}

TEST(ConvTest, tensor_splits) {
  const auto conv = small_conv();
  // Configuration (b, c, h, w, r, s, n): the image is split (b, c, h, w), the output (b, n, h, w).
  EXPECT_EQ(conv->input_split(0, {2, 3, 1, 1, 5, 7, 11}), Config({2, 3, 1, 1}));
  EXPECT_EQ(conv->output_split(0, {2, 3, 1, 1, 5, 7, 11}), Config({2, 11, 1, 1}));
}

TEST(ConvTest, stride_and_padding_set_the_output_size) {
  // 7 x 7 image, 3 x 3 filter: stride 2, pad 1 -> (7 - 3 + 2) / 2 + 1 = 4.
  auto conv = make("Conv", {{1, 1, 7, 7}}, Attrs().ints("filter", {1, 1, 3, 3}).integer("stride", 2).integer("pad", 1));
  EXPECT_EQ(conv->output_shapes()[0], Shape({1, 1, 4, 4}));
  // stride [1, 2]: h = (7 - 3) / 1 + 1 = 5, w = (7 - 3) / 2 + 1 = 3.
  conv = make("Conv", {{1, 1, 7, 7}}, Attrs().ints("filter", {1, 1, 3, 3}).ints("stride", {1, 2}));
  EXPECT_EQ(conv->output_shapes()[0], Shape({1, 1, 5, 3}));
  EXPECT_EQ(conv->domain(), Shape({1, 1, 5, 3, 3, 3, 1}));
  // pad [1, 0]: h = 7 - 3 + 2 + 1 = 7, w = 5.
  conv = make("Conv", {{1, 1, 7, 7}}, Attrs().ints("filter", {1, 1, 3, 3}).ints("pad", {1, 0}));
  EXPECT_EQ(conv->output_shapes()[0], Shape({1, 1, 7, 5}));
}

TEST(ConvTest, shape_errors_name_the_field) {
  // Filter channels 3 against an image of 2 channels.
  EXPECT_TRUE(throws_naming([] { make("Conv", {{4, 2, 5, 5}}, Attrs().ints("filter", {4, 3, 3, 3})); }, "field 'filter'",
                            "3", "2"));
  EXPECT_TRUE(throws_naming([] { make("Conv", {{4, 2, 5, 5}}, Attrs().ints("filter", {4, 2, 3})); }, "field 'filter'"));
  EXPECT_TRUE(throws_naming([] { make("Conv", {{4, 2, 5, 5}}); }, "field 'filter'"));
  EXPECT_TRUE(throws_naming([] { make("Conv", {{4, 2, 5, 5}}, Attrs().ints("filter", {4, 2, 7, 3})); },
                            "field 'filter'"));
  EXPECT_TRUE(throws_naming([] { make("Conv", {{4, 2, 5}}, Attrs().ints("filter", {4, 2, 3, 3})); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Conv", {{4, 2, 5, 5}, {4, 2, 5, 5}}, Attrs().ints("filter", {4, 2, 3, 3})); },
                            "field 'in'"));
  EXPECT_TRUE(throws_naming(
      [] { make("Conv", {{4, 2, 5, 5}}, Attrs().ints("filter", {4, 2, 3, 3}).integer("stride", 0)); },
      "field 'stride'"));
  EXPECT_TRUE(throws_naming(
      [] { make("Conv", {{4, 2, 5, 5}}, Attrs().ints("filter", {4, 2, 3, 3}).integer("pad", -1)); }, "field 'pad'"));
  EXPECT_TRUE(throws_naming(
      [] { make("Conv", {{4, 2, 5, 5}}, Attrs().ints("filter", {4, 2, 3, 3}).ints("stride", {1, 2, 3})); },
      "field 'stride'"));
}

// ------------------------------------------------------------------------------------------- Pooling

TEST(PoolingTest, iteration_space_is_the_output) {
  // (2, 2, 4, 4), window 2, stride 2 -> (2, 2, 2, 2)
  const auto pool = make("Pooling", {{2, 2, 4, 4}}, Attrs().integer("window", 2).integer("stride", 2));
  EXPECT_EQ(pool->letters(), "bchw");
  EXPECT_EQ(pool->domain(), Shape({2, 2, 2, 2}));
  EXPECT_EQ(pool->output_shapes(), std::vector<Shape>({{2, 2, 2, 2}}));
  // Every dimension may be split, h and w too.
  const std::vector<Config> expected = {{1, 1, 1, 1}, {1, 1, 1, 2}, {1, 1, 2, 1}, {1, 2, 1, 1}, {2, 1, 1, 1}};
  EXPECT_EQ(pool->configs(2, 1), expected);
}

TEST(PoolingTest, cost_is_the_output_part_plus_the_halo) {
  const auto pool = make("Pooling", {{2, 2, 4, 4}}, Attrs().integer("window", 2).integer("stride", 2));
  // unsplit: 2 * 2 * 2 * 2 = 16 output elements, no halo
  EXPECT_EQ(cost_of(*pool, {1, 1, 1, 1}), 16.0);
  // b or c split: 8, no halo
  EXPECT_EQ(cost_of(*pool, {2, 1, 1, 1}), 8.0);
  EXPECT_EQ(cost_of(*pool, {1, 2, 1, 1}), 8.0);
  // h split: 8 + halo on the input part (2, 2, 2, 4): ((2 + 2) * 4 - 2 * 4) * 2 * 2 = 32 words = 320 -> 328
  EXPECT_EQ(cost_of(*pool, {1, 1, 2, 1}), 328.0);
  // w split: the same by symmetry
  EXPECT_EQ(cost_of(*pool, {1, 1, 1, 2}), 328.0);
  // h and w split: 4 + ((2 + 2) * (2 + 2) - 2 * 2) * 4 = 48 words = 480 -> 484
  EXPECT_EQ(cost_of(*pool, {1, 1, 2, 2}), 484.0);
}

TEST(PoolingTest, halo_uses_r_along_h_and_s_along_w) {
  // (1, 1, 4, 4), window [3, 1], stride 1 -> output (1, 1, 2, 4)
  const auto pool = make("Pooling", {{1, 1, 4, 4}}, Attrs().ints("window", {3, 1}));
  EXPECT_EQ(pool->domain(), Shape({1, 1, 2, 4}));
  // h split: output part 1 * 4 = 4; input part (1, 1, 2, 4), h + r = 5: 5 * 4 - 2 * 4 = 12 words -> 124
  EXPECT_EQ(cost_of(*pool, {1, 1, 2, 1}), 124.0);
  // w split: output part 2 * 2 = 4; input part (1, 1, 4, 2), w + s = 3: 4 * 3 - 4 * 2 = 4 words -> 44
  EXPECT_EQ(cost_of(*pool, {1, 1, 1, 2}), 44.0);
  // both: output part 1 * 2 = 2; input part (1, 1, 2, 2): 5 * 3 - 2 * 2 = 11 words -> 112
  EXPECT_EQ(cost_of(*pool, {1, 1, 2, 2}), 112.0);
}

TEST(PoolingTest, tensor_splits_are_the_configuration) {
  const auto pool = make("Pooling", {{2, 2, 4, 4}}, Attrs().integer("window", 2).integer("stride", 2));
  EXPECT_EQ(pool->input_split(0, {2, 1, 2, 1}), Config({2, 1, 2, 1}));
  EXPECT_EQ(pool->output_split(0, {2, 1, 2, 1}), Config({2, 1, 2, 1}));
}

TEST(PoolingTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Pooling", {{2, 2, 4, 4}}); }, "field 'window'"));
  EXPECT_TRUE(throws_naming([] { make("Pooling", {{2, 2, 4, 4}}, Attrs().integer("window", 5)); }, "field 'window'"));
  EXPECT_TRUE(throws_naming([] { make("Pooling", {{2, 2, 4}}, Attrs().integer("window", 2)); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Pooling", {{2, 2, 4, 4}}, Attrs().integer("window", 2).integer("stride", 0)); },
                            "field 'stride'"));
}

// ------------------------------------------------------------------------------------------------ FC

TEST(FcTest, iteration_space_adds_units_before_the_reduced_dimension) {
  // x (4, 6), 2 units: (b=4, n=2, k=6), output (4, 2)
  const auto fc = make("FC", {{4, 6}}, Attrs().integer("units", 2));
  EXPECT_EQ(fc->letters(), "bnk");
  EXPECT_EQ(fc->domain(), Shape({4, 2, 6}));
  EXPECT_EQ(fc->output_shapes(), std::vector<Shape>({{4, 2}}));
  // x (2, 3, 4), 5 units: (b=2, l=3, n=5, k=4), output (2, 3, 5)
  const auto fc3 = make("FC", {{2, 3, 4}}, Attrs().integer("units", 5));
  EXPECT_EQ(fc3->letters(), "blnk");
  EXPECT_EQ(fc3->domain(), Shape({2, 3, 5, 4}));
  EXPECT_EQ(fc3->output_shapes(), std::vector<Shape>({{2, 3, 5}}));
}

TEST(FcTest, cost_is_a_gemm) {
  const auto fc = make("FC", {{4, 6}}, Attrs().integer("units", 2));
  // m = 4, n = 2, k = 6: 3 * 48 = 144
  EXPECT_EQ(cost_of(*fc, {1, 1, 1}), 144.0);
  // m split 2: 72 + all-reduce of n*k = 12 among 2 (10 * 6 * 2 = 120) -> 192
  EXPECT_EQ(cost_of(*fc, {2, 1, 1}), 192.0);
  // n split 2: 72 + all-reduce of m*k = 24 among 2 (240) -> 312
  EXPECT_EQ(cost_of(*fc, {1, 2, 1}), 312.0);
  // k split 2: 72 + all-reduce of m*n = 8 among 2 (80) -> 152
  EXPECT_EQ(cost_of(*fc, {1, 1, 2}), 152.0);
  // Two pointwise ops: 144 + 3 * 2 * (4 * 2) = 192
  EXPECT_EQ(cost_of(*make("FC", {{4, 6}}, Attrs().integer("units", 2).integer("pointwise_ops", 2)), {1, 1, 1}), 192.0);
  // Rank 3: the leading dimensions form m. (2, 3, 5, 4) split (2, 1, 1, 1): m = 6 / 2 = 3, n = 5, k = 4:
  // 3 * 60 = 180 + all-reduce of n*k = 20 among 2 (200) -> 380
  EXPECT_EQ(cost_of(*make("FC", {{2, 3, 4}}, Attrs().integer("units", 5)), {2, 1, 1, 1}), 380.0);
}

TEST(FcTest, tensor_splits) {
  const auto fc = make("FC", {{2, 3, 4}}, Attrs().integer("units", 5));
  // (b, l, n, k): input (b, l, k), output (b, l, n)
  EXPECT_EQ(fc->input_split(0, {2, 3, 5, 7}), Config({2, 3, 7}));
  EXPECT_EQ(fc->output_split(0, {2, 3, 5, 7}), Config({2, 3, 5}));
}

TEST(FcTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("FC", {{4, 6}}); }, "field 'units'"));
  EXPECT_TRUE(throws_naming([] { make("FC", {{4, 6}}, Attrs().integer("units", 0)); }, "field 'units'"));
  EXPECT_TRUE(throws_naming([] { make("FC", {{6}}, Attrs().integer("units", 2)); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("FC", {{4, 6}, {4, 6}}, Attrs().integer("units", 2)); }, "field 'in'"));
}

// -------------------------------------------------------------------------------------------- Einsum

TEST(EinsumTest, iteration_space_is_output_letters_then_reduced_letters) {
  const auto e = make("Einsum", {{2, 3}, {3, 4}}, Attrs().text("equation", "ab,bc->ac"));
  EXPECT_EQ(e->letters(), "acb");
  EXPECT_EQ(e->domain(), Shape({2, 4, 3}));
  EXPECT_EQ(e->output_shapes(), std::vector<Shape>({{2, 4}}));
}

TEST(EinsumTest, cost_of_a_plain_gemm) {
  const auto e = make("Einsum", {{2, 3}, {3, 4}}, Attrs().text("equation", "ab,bc->ac"));
  // m = a = 2, n = c = 4, k = b = 3: 3 * 24 = 72
  EXPECT_EQ(cost_of(*e, {1, 1, 1}), 72.0);
  // c split 2: 3 * 2 * 2 * 3 = 36 + all-reduce of m*k = 6 among 2 (60) -> 96
  EXPECT_EQ(cost_of(*e, {1, 2, 1}), 96.0);
}

TEST(EinsumTest, batch_letters_multiply_the_gemm_without_communication) {
  // "bmk,bkn->bmn": (b=2, m=3, n=5, k=4)
  const auto e = make("Einsum", {{2, 3, 4}, {2, 4, 5}}, Attrs().text("equation", "bmk,bkn->bmn"));
  EXPECT_EQ(e->letters(), "bmnk");
  EXPECT_EQ(e->domain(), Shape({2, 3, 5, 4}));
  // unsplit: 2 batches of 3 * 60 = 360
  EXPECT_EQ(cost_of(*e, {1, 1, 1, 1}), 360.0);
  // batch split 2: one batch per device, no all-reduce: 180
  EXPECT_EQ(cost_of(*e, {2, 1, 1, 1}), 180.0);
  // m split 3, k split 2: 2 batches of [3 * 1 * 5 * 2 = 30, + output all-reduce of m*n = 5 among 2 (50),
  //   + weight all-reduce of n*k = 10 among 3 (10 * 10/3 * 4 = 400/3)] = 2 * (80 + 400/3) = 1280/3
  EXPECT_TRUE(near_relative(cost_of(*e, {1, 3, 1, 2}), 1280.0 / 3.0));
}

TEST(EinsumTest, several_letters_in_one_gemm_dimension_multiply) {
  // "abc,cd->abd": m = {a, b} = 2 * 3, n = d = 5, k = c = 4. Split a 2 ways: m = 3 per device:
  // 3 * 3 * 5 * 4 = 180 + all-reduce of n*k = 20 among 2 (200) -> 380, the same as the rank-3 FC.
  const auto e = make("Einsum", {{2, 3, 4}, {4, 5}}, Attrs().text("equation", "abc,cd->abd"));
  EXPECT_EQ(e->domain(), Shape({2, 3, 5, 4}));
  EXPECT_EQ(cost_of(*e, {2, 1, 1, 1}), 380.0);
  // a and b split (2 * 3 = 6 ways): m = 1: 3 * 20 = 60 + all-reduce of 20 among 6 (10 * 20/6 * 10) -> 60 + 1000/3
  EXPECT_TRUE(near_relative(cost_of(*e, {2, 3, 1, 1}), 60.0 + 1000.0 / 3.0));
}

TEST(EinsumTest, pointwise_ops_add_three_flop_per_output_element) {
  const auto e = make("Einsum", {{2, 3}, {3, 4}}, Attrs().text("equation", "ab,bc->ac").integer("pointwise_ops", 1));
  // 72 + 3 * (2 * 4) = 96
  EXPECT_EQ(cost_of(*e, {1, 1, 1}), 96.0);
}

TEST(EinsumTest, tensor_splits_follow_the_letters) {
  const auto e = make("Einsum", {{2, 3, 4}, {2, 4, 5}}, Attrs().text("equation", "bmk,bkn->bmn"));
  // configuration (b, m, n, k) = (2, 3, 5, 7)
  EXPECT_EQ(e->input_split(0, {2, 3, 5, 7}), Config({2, 3, 7}));
  EXPECT_EQ(e->input_split(1, {2, 3, 5, 7}), Config({2, 7, 5}));
  EXPECT_EQ(e->output_split(0, {2, 3, 5, 7}), Config({2, 3, 5}));
}

TEST(EinsumTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Einsum", {{2, 3}, {3, 4}}); }, "field 'equation'"));
  EXPECT_TRUE(
      throws_naming([] { make("Einsum", {{2, 3}, {3, 4}}, Attrs().text("equation", "ab,bc")); }, "field 'equation'"));
  EXPECT_TRUE(throws_naming([] { make("Einsum", {{2, 3}, {3, 4}}, Attrs().text("equation", "abc,bc->ac")); },
                            "field 'equation'"));
  EXPECT_TRUE(throws_naming([] { make("Einsum", {{2, 3}, {3, 4}}, Attrs().text("equation", "ab,bc->ad")); },
                            "field 'equation'"));
  EXPECT_TRUE(throws_naming([] { make("Einsum", {{2, 3}, {3, 4}}, Attrs().text("equation", "aa,bc->ac")); },
                            "field 'equation'"));
  // No letter of its own in the second operand: no n dimension.
  EXPECT_TRUE(throws_naming([] { make("Einsum", {{2, 3}, {3}}, Attrs().text("equation", "ab,b->a")); },
                            "field 'equation'"));
  // b is 3 in the first input and 5 in the second.
  EXPECT_TRUE(throws_naming([] { make("Einsum", {{2, 3}, {5, 4}}, Attrs().text("equation", "ab,bc->ac")); },
                            "field 'in'", "3", "5"));
  EXPECT_TRUE(throws_naming([] { make("Einsum", {{2, 3}}, Attrs().text("equation", "ab,bc->ac")); }, "field 'in'"));
}

// -------------------------------------------------------------------------------------------- MatMul

TEST(MatMulTest, is_the_einsum_mk_kn_to_mn) {
  const auto mm = make("MatMul", {{3, 4}, {4, 5}});
  EXPECT_EQ(mm->letters(), "mnk");
  EXPECT_EQ(mm->domain(), Shape({3, 5, 4}));
  EXPECT_EQ(mm->output_shapes(), std::vector<Shape>({{3, 5}}));
  // 3 * 3 * 5 * 4 = 180; k split 2: 90 + all-reduce of m*n = 15 among 2 (150) -> 240
  EXPECT_EQ(cost_of(*mm, {1, 1, 1}), 180.0);
  EXPECT_EQ(cost_of(*mm, {1, 1, 2}), 240.0);
  EXPECT_EQ(mm->input_split(0, {2, 3, 4}), Config({2, 4}));
  EXPECT_EQ(mm->input_split(1, {2, 3, 4}), Config({4, 3}));
}

TEST(MatMulTest, leading_dimensions_are_batch) {
  const auto mm = make("MatMul", {{2, 3, 4}, {2, 4, 5}});
  EXPECT_EQ(mm->domain(), Shape({2, 3, 5, 4}));
  EXPECT_EQ(mm->letters()[0], 'b');
  EXPECT_EQ(cost_of(*mm, {1, 1, 1, 1}), 360.0);  // 2 batches of 180
  EXPECT_EQ(cost_of(*mm, {2, 1, 1, 1}), 180.0);
}

TEST(MatMulTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("MatMul", {{3, 4}, {5, 6}}); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("MatMul", {{2, 3, 4}, {4, 5}}); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("MatMul", {{3, 4}}); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("MatMul", {{4}, {4}}); }, "field 'in'"));
}

// ----------------------------------------------------------------------------------------- Embedding

TEST(EmbeddingTest, is_the_einsum_of_one_hot_ids_and_the_table) {
  // ids (2, 3), vocabulary 8, dimension 4: "blv,ve->ble", domain (b=2, l=3, e=4, v=8)
  const auto emb = make("Embedding", {{2, 3}}, Attrs().integer("vocab", 8).integer("dim", 4));
  EXPECT_EQ(emb->letters(), "blev");
  EXPECT_EQ(emb->domain(), Shape({2, 3, 4, 8}));
  EXPECT_EQ(emb->output_shapes(), std::vector<Shape>({{2, 3, 4}}));
  EXPECT_EQ(emb->input_shapes(), std::vector<Shape>({{2, 3, 8}, {8, 4}}));
  // m = b*l = 6, n = e = 4, k = v = 8: 3 * 192 = 576
  EXPECT_EQ(cost_of(*emb, {1, 1, 1, 1}), 576.0);
  // v split 2: 288 + all-reduce of m*n = 24 among 2 (240) -> 528
  EXPECT_EQ(cost_of(*emb, {1, 1, 1, 2}), 528.0);
  // b split 2: 288 + all-reduce of n*k = 32 among 2 (320) -> 608
  EXPECT_EQ(cost_of(*emb, {2, 1, 1, 1}), 608.0);
  EXPECT_EQ(emb->input_split(0, {2, 1, 1, 2}), Config({2, 1, 2}));
  EXPECT_EQ(emb->input_split(1, {2, 1, 1, 2}), Config({2, 1}));
  EXPECT_EQ(emb->output_split(0, {2, 1, 1, 2}), Config({2, 1, 1}));
}

TEST(EmbeddingTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Embedding", {{2, 3}}, Attrs().integer("dim", 4)); }, "field 'vocab'"));
  EXPECT_TRUE(throws_naming([] { make("Embedding", {{2, 3}}, Attrs().integer("vocab", 8)); }, "field 'dim'"));
  EXPECT_TRUE(
      throws_naming([] { make("Embedding", {{2, 3}}, Attrs().integer("vocab", 8).integer("dim", 0)); }, "'dim'"));
  EXPECT_TRUE(throws_naming([] { make("Embedding", {{2, 3}, {2, 3}}, Attrs().integer("vocab", 8).integer("dim", 4)); },
                            "field 'in'"));
}

// ---------------------------------------------------------------------------------------------- LSTM

// x (b=4, l=2, units=3), 2 layers: domain (s=2 layers, l=2, b=4, n=3, k=3)
std::unique_ptr<Operator> small_lstm() {
  return make("LSTM", {{4, 2, 3}}, Attrs().integer("units", 3).integer("layers", 2));
}

TEST(LstmTest, iteration_space_and_configurations) {
  const auto lstm = small_lstm();
  EXPECT_EQ(lstm->letters(), "slbnk");
  EXPECT_EQ(lstm->domain(), Shape({2, 2, 4, 3, 3}));
  EXPECT_EQ(lstm->output_shapes(), std::vector<Shape>({{4, 2, 3}}));
  // The sequence is never split: with 2 devices, layers {1,2}, batch {1,2,4}, units {1,3}.
  const std::vector<Config> expected = {{1, 1, 1, 1, 1}, {1, 1, 2, 1, 1}, {2, 1, 1, 1, 1}};
  EXPECT_EQ(lstm->configs(2, 1), expected);
  for (const auto& c : lstm->configs(16, 1)) EXPECT_EQ(c[1], 1);
}

TEST(LstmTest, cost_is_a_fused_gemm_plus_the_cell_relayout) {
  const auto lstm = small_lstm();
  // Fused GEMM per layer: m = l*b = 8, n = 4 units = 12, k = 2 units = 6, 3 pointwise ops:
  // 3 * 8 * 12 * 6 = 1728 + 3 * 3 * (8 * 12) = 864 -> 2592; 2 layers -> 5184. No re-layout.
  EXPECT_EQ(cost_of(*lstm, {1, 1, 1, 1, 1}), 5184.0);
  // layers split 2: one layer per device -> 2592
  EXPECT_EQ(cost_of(*lstm, {2, 1, 1, 1, 1}), 2592.0);
  // batch split 2: m = 4: 864 + 432 + weight all-reduce of n*k = 72 among 2 (720) = 2016; x2 -> 4032.
  // The cell output (b/2, n) is already the next input (b/2, k): no re-layout.
  EXPECT_EQ(cost_of(*lstm, {1, 1, 2, 1, 1}), 4032.0);
  // n split 3: n = 4: 576 + 288 + input all-reduce of m*k = 48 among 3 (10 * 16 * 4 = 640) = 1504; x2 -> 3008.
  // Re-layout: output part (4, 1) on 3 devices -> input part (4, 3) on 1 device: 12 - 4 = 8 words per
  // cell, 2 layers x 2 steps = 4 cells -> 32 words -> 320. Total 3328.
  EXPECT_EQ(cost_of(*lstm, {1, 1, 1, 3, 1}), 3328.0);
  // k split 3: k = 2: 576 + 864 + output all-reduce of m*n = 96 among 3 (10 * 32 * 4 = 1280) = 2720; x2 -> 5440.
  // Re-layout: output (4, 3) on 1 device -> input (4, 1) on 3 devices: more devices, all 4 words;
  // 4 cells -> 16 words -> 160. Total 5600.
  EXPECT_EQ(cost_of(*lstm, {1, 1, 1, 1, 3}), 5600.0);
}

TEST(LstmTest, tensor_splits) {
  const auto lstm = small_lstm();
  // (s, l, b, n, k): input (b, l, k), output (b, l, n)
  EXPECT_EQ(lstm->input_split(0, {2, 1, 4, 3, 5}), Config({4, 1, 5}));
  EXPECT_EQ(lstm->output_split(0, {2, 1, 4, 3, 5}), Config({4, 1, 3}));
}

TEST(LstmTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("LSTM", {{4, 2, 3}}, Attrs().integer("units", 4).integer("layers", 2)); },
                            "field 'units'"));
  EXPECT_TRUE(throws_naming([] { make("LSTM", {{4, 2, 3}}, Attrs().integer("units", 3).integer("layers", 0)); },
                            "field 'layers'"));
  EXPECT_TRUE(throws_naming([] { make("LSTM", {{4, 2, 3}}, Attrs().integer("units", 3)); }, "field 'layers'"));
  EXPECT_TRUE(throws_naming([] { make("LSTM", {{4, 3}}, Attrs().integer("units", 3).integer("layers", 2)); },
                            "field 'in'"));
}

// --------------------------------------------------------------------------------------- every kind

TEST(OperatorTest, unknown_kinds_and_bad_dimensions_are_rejected) {
  EXPECT_FALSE(is_known_operator("Conv2D"));
  EXPECT_TRUE(is_known_operator("Conv"));
  EXPECT_TRUE(throws_naming([] { make("Conv2D", {{1, 1, 1, 1}}); }, "field 'op'", "Conv2D"));
  EXPECT_TRUE(throws_naming([] { make("Elementwise", {{4, 0}, {4, 0}}); }, "field 'in'"));
}

TEST(OperatorTest, every_documented_kind_is_known) {
  for (const char* kind : {"Conv", "Pooling", "FC", "Einsum", "MatMul", "Embedding", "LSTM", "Elementwise", "Norm",
                           "BatchNorm", "ReduceMean", "Softmax", "SoftmaxCrossEntropy", "Concat", "Split", "Stack",
                           "Unstack", "Ravel", "Unravel", "ReshapeAxes", "Transpose", "Measured"})
    EXPECT_TRUE(is_known_operator(kind)) << kind;
}

TEST(OperatorTest, dims_rename_the_letters_and_choose_the_batch_dimension) {
  auto fc = make("FC", {{4, 6}}, Attrs().integer("units", 2));
  EXPECT_EQ(fc->batch_dimension(), 0u);
  fc->rename_letters("xbk");
  EXPECT_EQ(fc->letters(), "xbk");
  EXPECT_EQ(fc->batch_dimension(), 1u);
  fc->rename_letters("xyz");
  EXPECT_EQ(fc->batch_dimension(), 0u);  // no 'b': the first dimension
  EXPECT_TRUE(throws_naming([&] { fc->rename_letters("ab"); }, "field 'dims'"));
}

}  // namespace
}  // namespace pase
