// Elementwise, Norm, BatchNorm, ReduceMean, Softmax and SoftmaxCrossEntropy: costs worked by hand
// with r = 10 FLOP per word, tensor splits, and shape errors.
#include <gtest/gtest.h>

#include "support/operators.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::Attrs;
using test::cost_of;
using test::make;
using test::throws_naming;

// ------------------------------------------------------------------------------------- Elementwise

TEST(ElementwiseTest, cost_is_one_flop_per_element_per_op) {
  const auto e = make("Elementwise", {{4, 6}, {4, 6}});
  EXPECT_EQ(e->domain(), Shape({4, 6}));
  EXPECT_EQ(e->letters(), "bc");
  EXPECT_EQ(e->output_shapes(), std::vector<Shape>({{4, 6}}));
  EXPECT_EQ(cost_of(*e, {1, 1}), 24.0);  // 4 * 6
  EXPECT_EQ(cost_of(*e, {2, 1}), 12.0);  // 2 * 6
  EXPECT_EQ(cost_of(*e, {2, 3}), 4.0);   // 2 * 2
  // Two more pointwise ops: (1 + 2) * 12 = 36
  EXPECT_EQ(cost_of(*make("Elementwise", {{4, 6}, {4, 6}}, Attrs().integer("pointwise_ops", 2)), {2, 1}), 36.0);
}

TEST(ElementwiseTest, every_tensor_splits_like_the_configuration) {
  const auto e = make("Elementwise", {{4, 6}, {4, 6}});
  EXPECT_EQ(e->input_split(0, {2, 3}), Config({2, 3}));
  EXPECT_EQ(e->input_split(1, {2, 3}), Config({2, 3}));
  EXPECT_EQ(e->output_split(0, {2, 3}), Config({2, 3}));
  const std::vector<Config> expected = {{1, 1}, {1, 2}, {1, 3}, {2, 1}};  // cutoff 2, 3 devices
  EXPECT_EQ(e->configs(3, 2), expected);
}

TEST(ElementwiseTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Elementwise", {{4, 6}, {4, 5}}); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Elementwise", {{4, 6}}); }, "field 'in'"));
}

// -------------------------------------------------------------------------------------------- Norm

TEST(NormTest, cost_over_the_last_axis) {
  // x (4, 6), axis -1. 16 FLOP per element, plus 4 all-reduces of the statistics along the axis and
  // 4 of the scale and bias (one per position along the axis) across the other dimensions.
  const auto n = make("Norm", {{4, 6}});
  EXPECT_EQ(n->output_shapes(), std::vector<Shape>({{4, 6}}));
  // unsplit: 16 * 24 = 384
  EXPECT_EQ(cost_of(*n, {1, 1}), 384.0);
  // (2, 1): part (2, 6), 12 elements: 192; scale/bias all-reduce of 6 words among 2: 4 * 60 = 240 -> 432
  EXPECT_EQ(cost_of(*n, {2, 1}), 432.0);
  // (1, 2): part (4, 3): 192; statistics all-reduce of 12 / 3 = 4 words among 2: 4 * 40 = 160 -> 352
  EXPECT_EQ(cost_of(*n, {1, 2}), 352.0);
  // (2, 2): part (2, 3), 6 elements: 96; statistics 2 words among 2: 4 * 20 = 80;
  //   scale/bias 3 words among 2: 4 * 30 = 120 -> 296
  EXPECT_EQ(cost_of(*n, {2, 2}), 296.0);
}

TEST(NormTest, explicit_axis_zero_is_batch_norm) {
  // x (4, 6), axis 0: (2, 1): 192 + statistics 12 / 2 = 6 words among 2 (4 * 60 = 240) -> 432;
  // (1, 2): 192 + scale/bias part[0] = 4 words among 2 (4 * 40 = 160) -> 352.
  const auto n = make("Norm", {{4, 6}}, Attrs().integer("axis", 0));
  const auto bn = make("BatchNorm", {{4, 6}});
  for (const auto* op : {n.get(), bn.get()}) {
    EXPECT_EQ(cost_of(*op, {1, 1}), 384.0);
    EXPECT_EQ(cost_of(*op, {2, 1}), 432.0);
    EXPECT_EQ(cost_of(*op, {1, 2}), 352.0);
  }
}

TEST(NormTest, batch_norm_on_an_image) {
  // x (b=4, c=2, h=2, w=2) split (2, 2, 1, 1): part (2, 1, 2, 2), 8 elements: 128;
  // statistics along b: 8 / 2 = 4 words among 2: 4 * (10 * 2 * 2) = 160;
  // scale/bias: part[0] = 2 words among c*h*w splits = 2: 4 * (10 * 1 * 2) = 80. Total 368.
  EXPECT_EQ(cost_of(*make("BatchNorm", {{4, 2, 2, 2}}), {2, 2, 1, 1}), 368.0);
}

TEST(NormTest, tensor_splits_and_shape_errors) {
  const auto n = make("Norm", {{4, 6}});
  EXPECT_EQ(n->input_split(0, {2, 3}), Config({2, 3}));
  EXPECT_EQ(n->output_split(0, {2, 3}), Config({2, 3}));
  EXPECT_TRUE(throws_naming([] { make("Norm", {{6}}); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Norm", {{4, 6}}, Attrs().integer("axis", 2)); }, "field 'axis'"));
  EXPECT_TRUE(throws_naming([] { make("Norm", {{4, 6}}, Attrs().integer("axis", -3)); }, "field 'axis'"));
  EXPECT_TRUE(throws_naming([] { make("BatchNorm", {{4, 6}, {4, 6}}); }, "field 'in'"));
}

// -------------------------------------------------------------------------------------- ReduceMean

TEST(ReduceMeanTest, cost_is_an_all_reduce_over_the_reduced_splits) {
  // x (4, 8), all axes: all-reduce of the part among the devices that split reduced axes.
  const auto r = make("ReduceMean", {{4, 8}});
  EXPECT_EQ(r->domain(), Shape({4, 8}));
  EXPECT_EQ(r->output_shapes(), std::vector<Shape>({{1}}));
  EXPECT_EQ(cost_of(*r, {1, 1}), 0.0);
  // (2, 1): part 16 among 2: 10 * 8 * 2 = 160
  EXPECT_EQ(cost_of(*r, {2, 1}), 160.0);
  // (2, 2): part 8 among 4: 10 * 2 * 6 = 120
  EXPECT_EQ(cost_of(*r, {2, 2}), 120.0);
}

TEST(ReduceMeanTest, only_reduced_axes_count) {
  // axes [1]: splitting axis 0 needs no reduction, splitting axis 1 does.
  const auto r = make("ReduceMean", {{4, 8}}, Attrs().ints("axes", {1}));
  EXPECT_EQ(r->output_shapes(), std::vector<Shape>({{4}}));
  EXPECT_EQ(cost_of(*r, {2, 1}), 0.0);
  EXPECT_EQ(cost_of(*r, {1, 2}), 160.0);  // part 16 among 2
  // axes [-1] is the same axis
  const auto last = make("ReduceMean", {{4, 8}}, Attrs().ints("axes", {-1}));
  EXPECT_EQ(last->output_shapes(), std::vector<Shape>({{4}}));
  EXPECT_EQ(cost_of(*last, {1, 2}), 160.0);
}

TEST(ReduceMeanTest, output_splits_drop_or_keep_reduced_axes) {
  // An image (b, c, h, w) averaged over h and w.
  const auto r = make("ReduceMean", {{4, 8, 6, 6}}, Attrs().ints("axes", {2, 3}));
  EXPECT_EQ(r->output_shapes(), std::vector<Shape>({{4, 8}}));
  EXPECT_EQ(r->input_split(0, {2, 4, 3, 1}), Config({2, 4, 3, 1}));
  EXPECT_EQ(r->output_split(0, {2, 4, 3, 1}), Config({2, 4}));
  const auto kept = make("ReduceMean", {{4, 8, 6, 6}}, Attrs().ints("axes", {2, 3}).flag("keepdims", true));
  EXPECT_EQ(kept->output_shapes(), std::vector<Shape>({{4, 8, 1, 1}}));
  EXPECT_EQ(kept->output_split(0, {2, 4, 3, 1}), Config({2, 4, 1, 1}));
  // All axes: a single element either way.
  EXPECT_EQ(make("ReduceMean", {{4, 8}})->output_split(0, {2, 2}), Config({1}));
  const auto all_kept = make("ReduceMean", {{4, 8}}, Attrs().flag("keepdims", true));
  EXPECT_EQ(all_kept->output_shapes(), std::vector<Shape>({{1, 1}}));
  EXPECT_EQ(all_kept->output_split(0, {2, 2}), Config({1, 1}));
}

TEST(ReduceMeanTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("ReduceMean", {{4, 8}}, Attrs().ints("axes", {2})); }, "field 'axes'"));
  EXPECT_TRUE(throws_naming([] { make("ReduceMean", {{4, 8}}, Attrs().ints("axes", {1, 1})); }, "field 'axes'"));
  EXPECT_TRUE(throws_naming([] { make("ReduceMean", {{4, 8}}, Attrs().ints("axes", {1, -1})); }, "field 'axes'"));
  EXPECT_TRUE(throws_naming([] { make("ReduceMean", {{4, 8}}, Attrs().integer("keepdims", 1)); }, "field 'keepdims'"));
  EXPECT_TRUE(throws_naming([] { make("ReduceMean", {{4, 8}, {4, 8}}); }, "field 'in'"));
}

// ----------------------------------------------------------------------------------------- Softmax

TEST(SoftmaxTest, cost_over_axis_one) {
  // x (4, 6), axis 1 (the default): per element 4 FLOP (exp and sum) plus one product per element of
  // the row (width 6); when the axis is split, three all-reduces: the row sums, the rows, the sums.
  const auto s = make("Softmax", {{4, 6}});
  EXPECT_EQ(s->output_shapes(), std::vector<Shape>({{4, 6}}));
  // unsplit: 4 * 24 + 24 * 6 = 240
  EXPECT_EQ(cost_of(*s, {1, 1}), 240.0);
  // (2, 1): 12 elements: 48 + 72 = 120, no communication
  EXPECT_EQ(cost_of(*s, {2, 1}), 120.0);
  // (1, 2): part (4, 3), 12 elements: 120; 4 rows among 2: 10 * 2 * 2 = 40, twice;
  //   4 * 6 = 24 words among 2: 240 -> 120 + 40 + 240 + 40 = 440
  EXPECT_EQ(cost_of(*s, {1, 2}), 440.0);
}

TEST(SoftmaxTest, cost_over_axis_zero) {
  // axis 0, split (2, 1): part (2, 6), 12 elements: 48 + 12 * 4 = 96; rows = 6:
  //   10 * 3 * 2 = 60 twice, 6 * 4 = 24 words among 2: 240 -> 96 + 360 = 456
  EXPECT_EQ(cost_of(*make("Softmax", {{4, 6}}, Attrs().integer("axis", 0)), {2, 1}), 456.0);
}

TEST(SoftmaxTest, tensor_splits_and_shape_errors) {
  const auto s = make("Softmax", {{4, 6}});
  EXPECT_EQ(s->input_split(0, {2, 3}), Config({2, 3}));
  EXPECT_EQ(s->output_split(0, {2, 3}), Config({2, 3}));
  EXPECT_TRUE(throws_naming([] { make("Softmax", {{4, 6}}, Attrs().integer("axis", 2)); }, "field 'axis'"));
  EXPECT_TRUE(throws_naming([] { make("Softmax", {{6}}); }, "field 'axis'"));  // default axis 1 of a rank-1 tensor
}

// ----------------------------------------------------------------------------- SoftmaxCrossEntropy

TEST(SoftmaxCrossEntropyTest, cost_with_and_without_a_split_class_dimension) {
  const auto s = make("SoftmaxCrossEntropy", {{4, 6}});
  EXPECT_EQ(s->output_shapes(), std::vector<Shape>({{4, 6}}));
  // unsplit: 4 * 24 + 4 rows + 4 rows = 104
  EXPECT_EQ(cost_of(*s, {1, 1}), 104.0);
  // (2, 1): 4 * 12 + 2 + 2 = 52
  EXPECT_EQ(cost_of(*s, {2, 1}), 52.0);
  // (1, 2): 4 * 12 + 4 + 4 = 56, plus 2 words per row when the classes are split: 10 * 8 = 80 -> 136
  EXPECT_EQ(cost_of(*s, {1, 2}), 136.0);
  // Rank 3 (2, 3, 4) split (1, 1, 2): part (2, 3, 2): 4 * 12 = 48, rows 6: + 12 -> 60, + 10 * 12 -> 180
  EXPECT_EQ(cost_of(*make("SoftmaxCrossEntropy", {{2, 3, 4}}), {1, 1, 2}), 180.0);
}

TEST(SoftmaxCrossEntropyTest, tensor_splits_and_shape_errors) {
  const auto s = make("SoftmaxCrossEntropy", {{4, 6}});
  EXPECT_EQ(s->input_split(0, {2, 3}), Config({2, 3}));
  EXPECT_EQ(s->output_split(0, {2, 3}), Config({2, 3}));
  EXPECT_TRUE(throws_naming([] { make("SoftmaxCrossEntropy", {{4, 6}, {4, 6}}); }, "field 'in'"));
}

}  // namespace
}  // namespace pase
