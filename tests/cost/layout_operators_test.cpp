// Concat, Split, Stack, Unstack, Ravel, Unravel, ReshapeAxes and Transpose: they cost nothing themselves; what
// matters is their iteration space, which dimensions may be split, and how they split their tensors.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/operators.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::Attrs;
using test::cost_of;
using test::make;
using test::throws_naming;

// Every configuration costs 0.
void expect_free(const Operator& op, std::int64_t procs) {
  const auto configs = op.configs(procs, 1);
  ASSERT_FALSE(configs.empty());
  for (double c : op.costs(configs, CostMath(10.0))) EXPECT_EQ(c, 0.0);
}

// ------------------------------------------------------------------------------------------ Concat

TEST(ConcatTest, never_splits_the_concatenation_axis) {
  // (2, 3) and (2, 5) along axis 1 -> (2, 8); iteration space (2, 1).
  const auto c = make("Concat", {{2, 3}, {2, 5}}, Attrs().integer("axis", 1));
  EXPECT_EQ(c->domain(), Shape({2, 1}));
  EXPECT_EQ(c->output_shapes(), std::vector<Shape>({{2, 8}}));
  EXPECT_EQ(c->configs(4, 1), std::vector<Config>({{1, 1}, {2, 1}}));
  expect_free(*c, 4);
  EXPECT_EQ(c->input_split(0, {2, 1}), Config({2, 1}));
  EXPECT_EQ(c->input_split(1, {2, 1}), Config({2, 1}));
  EXPECT_EQ(c->output_split(0, {2, 1}), Config({2, 1}));
  // Three inputs along axis -2 (= 0): (1, 4) + (2, 4) + (3, 4) -> (6, 4)
  const auto c3 = make("Concat", {{1, 4}, {2, 4}, {3, 4}}, Attrs().integer("axis", -2));
  EXPECT_EQ(c3->output_shapes(), std::vector<Shape>({{6, 4}}));
  EXPECT_EQ(c3->domain(), Shape({1, 4}));
}

TEST(ConcatTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Concat", {{2, 3}, {2, 5}}); }, "field 'axis'"));
  EXPECT_TRUE(throws_naming([] { make("Concat", {{2, 3}, {2, 5}}, Attrs().integer("axis", 2)); }, "field 'axis'"));
  EXPECT_TRUE(throws_naming([] { make("Concat", {{2, 3}}, Attrs().integer("axis", 1)); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Concat", {{2, 3}, {3, 5}}, Attrs().integer("axis", 1)); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Concat", {{2, 3}, {2, 3, 1}}, Attrs().integer("axis", 1)); }, "field 'in'"));
}

// ------------------------------------------------------------------------------------------- Split

TEST(SplitTest, gives_equal_outputs_and_never_splits_the_axis) {
  // (4, 6) in 3 parts along axis 1 -> three (4, 2); iteration space (4, 1).
  const auto s = make("Split", {{4, 6}}, Attrs().integer("parts", 3).integer("axis", 1));
  EXPECT_EQ(s->domain(), Shape({4, 1}));
  EXPECT_EQ(s->output_shapes(), std::vector<Shape>(3, Shape{4, 2}));
  expect_free(*s, 4);
  for (const auto& c : s->configs(8, 1)) EXPECT_EQ(c[1], 1);
  EXPECT_EQ(s->input_split(0, {2, 1}), Config({2, 1}));
  EXPECT_EQ(s->output_split(2, {2, 1}), Config({2, 1}));
}

TEST(SplitTest, shape_errors_name_the_field) {
  EXPECT_TRUE(
      throws_naming([] { make("Split", {{4, 6}}, Attrs().integer("parts", 4).integer("axis", 1)); }, "field 'parts'"));
  EXPECT_TRUE(
      throws_naming([] { make("Split", {{4, 6}}, Attrs().integer("parts", 0).integer("axis", 1)); }, "field 'parts'"));
  EXPECT_TRUE(throws_naming([] { make("Split", {{4, 6}}, Attrs().integer("axis", 1)); }, "field 'parts'"));
  EXPECT_TRUE(throws_naming([] { make("Split", {{4, 6}}, Attrs().integer("parts", 2)); }, "field 'axis'"));
  EXPECT_TRUE(
      throws_naming([] { make("Split", {{4, 6}}, Attrs().integer("parts", 2).integer("axis", 3)); }, "field 'axis'"));
}

// ------------------------------------------------------------------------------------------- Stack

TEST(StackTest, inserts_an_unsplit_axis) {
  // Three (2, 4) stacked on axis 0 -> (3, 2, 4); iteration space (1, 2, 4).
  const auto s = make("Stack", {{2, 4}, {2, 4}, {2, 4}});
  EXPECT_EQ(s->domain(), Shape({1, 2, 4}));
  EXPECT_EQ(s->output_shapes(), std::vector<Shape>({{3, 2, 4}}));
  expect_free(*s, 4);
  // Inputs lose the stacking axis, the output keeps it (as 1).
  EXPECT_EQ(s->input_split(0, {1, 2, 2}), Config({2, 2}));
  EXPECT_EQ(s->input_split(2, {1, 2, 2}), Config({2, 2}));
  EXPECT_EQ(s->output_split(0, {1, 2, 2}), Config({1, 2, 2}));
  // Axis 1: (2, 3, 4), iteration space (2, 1, 4); inputs drop position 1.
  const auto s1 = make("Stack", {{2, 4}, {2, 4}, {2, 4}}, Attrs().integer("axis", 1));
  EXPECT_EQ(s1->domain(), Shape({2, 1, 4}));
  EXPECT_EQ(s1->output_shapes(), std::vector<Shape>({{2, 3, 4}}));
  EXPECT_EQ(s1->input_split(1, {2, 1, 4}), Config({2, 4}));
}

TEST(StackTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Stack", {{2, 4}, {2, 5}}); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Stack", {}); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Stack", {{2, 4}, {2, 4}}, Attrs().integer("axis", 5)); }, "field 'axis'"));
}

// ----------------------------------------------------------------------------------------- Unstack

TEST(UnstackTest, one_output_per_slice_and_the_axis_never_split) {
  // (3, 2, 4) along axis 0 -> three (2, 4); iteration space (1, 2, 4).
  const auto u = make("Unstack", {{3, 2, 4}});
  EXPECT_EQ(u->domain(), Shape({1, 2, 4}));
  EXPECT_EQ(u->output_shapes(), std::vector<Shape>(3, Shape{2, 4}));
  expect_free(*u, 4);
  EXPECT_EQ(u->input_split(0, {1, 2, 2}), Config({1, 2, 2}));
  EXPECT_EQ(u->output_split(0, {1, 2, 2}), Config({2, 2}));
  EXPECT_EQ(u->output_split(2, {1, 2, 2}), Config({2, 2}));
  // Axis -1: (3, 2, 4) -> four (3, 2)
  const auto last = make("Unstack", {{3, 2, 4}}, Attrs().integer("axis", -1));
  EXPECT_EQ(last->output_shapes(), std::vector<Shape>(4, Shape{3, 2}));
  EXPECT_EQ(last->output_split(1, {3, 2, 1}), Config({3, 2}));
}

TEST(UnstackTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Unstack", {{3, 2}}, Attrs().integer("axis", 2)); }, "field 'axis'"));
  EXPECT_TRUE(throws_naming([] { make("Unstack", {{3, 2}, {3, 2}}); }, "field 'in'"));
}

// ------------------------------------------------------------------------------------ Ravel/Unravel

TEST(RavelTest, only_contiguous_splits_are_configurations) {
  // (4, 6) -> (24). With cutoff 1 and 8 devices the splits of (4, 6) with product <= 8 are
  // (1,1) (1,2) (1,3) (1,6) (2,1) (2,2) (2,3) (4,1) (4,2). Contiguous: leading dimensions split
  // fully, then one partially, the rest not: (1,1) (2,1) (4,1) (4,2).
  const auto r = make("Ravel", {{4, 6}});
  EXPECT_EQ(r->domain(), Shape({4, 6}));
  EXPECT_EQ(r->output_shapes(), std::vector<Shape>({{24}}));
  EXPECT_EQ(r->configs(8, 1), std::vector<Config>({{1, 1}, {2, 1}, {4, 1}, {4, 2}}));
  expect_free(*r, 8);
  // The flat output is split by the product.
  EXPECT_EQ(r->input_split(0, {4, 2}), Config({4, 2}));
  EXPECT_EQ(r->output_split(0, {4, 2}), Config({8}));
}

TEST(RavelTest, contiguity_with_three_dimensions) {
  // (2, 2, 4), 8 devices, cutoff 1: (1,1,1) (2,1,1) (2,2,1) (2,2,2); (2,1,2) is not contiguous, nor (1,2,1).
  EXPECT_EQ(make("Ravel", {{2, 2, 4}})->configs(8, 1),
            std::vector<Config>({{1, 1, 1}, {2, 1, 1}, {2, 2, 1}, {2, 2, 2}}));
}

TEST(UnravelTest, the_shaped_side_is_the_iteration_space) {
  const auto u = make("Unravel", {{24}}, Attrs().ints("shape", {4, 6}));
  EXPECT_EQ(u->domain(), Shape({4, 6}));
  EXPECT_EQ(u->output_shapes(), std::vector<Shape>({{4, 6}}));
  EXPECT_EQ(u->configs(8, 1), std::vector<Config>({{1, 1}, {2, 1}, {4, 1}, {4, 2}}));
  expect_free(*u, 8);
  EXPECT_EQ(u->input_split(0, {4, 2}), Config({8}));
  EXPECT_EQ(u->output_split(0, {4, 2}), Config({4, 2}));
}

TEST(UnravelTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Unravel", {{24}}, Attrs().ints("shape", {5, 5})); }, "field 'shape'"));
  EXPECT_TRUE(throws_naming([] { make("Unravel", {{24}}, Attrs().ints("shape", {24, 0})); }, "field 'shape'"));
  EXPECT_TRUE(throws_naming([] { make("Unravel", {{24}}); }, "field 'shape'"));
  EXPECT_TRUE(throws_naming([] { make("Unravel", {{4, 6}}, Attrs().ints("shape", {6, 4})); }, "field 'in'"));
  EXPECT_TRUE(throws_naming([] { make("Ravel", {{4, 6}, {4, 6}}); }, "field 'in'"));
}

// ------------------------------------------------------------------------------------- ReshapeAxes

// The mixed-radix coordinates of flat index `i` in `shape`.
std::vector<std::int64_t> coordinates(std::int64_t i, const Shape& shape) {
  std::vector<std::int64_t> x(shape.size());
  for (std::size_t a = shape.size(); a-- > 0;) {
    x[a] = i % shape[a];
    i /= shape[a];
  }
  return x;
}

// The device holding element `x` of `shape` under `split` (block b of axis a holds [b, b + 1) * shape / split),
// numbered in row-major order of the blocks.
std::int64_t owner(const std::vector<std::int64_t>& x, const Shape& shape, const Config& split) {
  std::int64_t device = 0;
  for (std::size_t a = 0; a < shape.size(); ++a) device = device * split[a] + x[a] / (shape[a] / split[a]);
  return device;
}

// Brute force over elements: configuration c of the refinement moves nothing when every element has the same
// owner in the refinement's blocks, in the input's blocks under input_split(c) and in the output's under
// output_split(c). ReshapeAxes must keep exactly those configurations, of all splits of its domain.
void expect_configs_are_the_communication_free_splits(const Shape& in, const Shape& out, std::int64_t procs) {
  const auto r = make("ReshapeAxes", {in}, Attrs().ints("shape", out));
  const Shape& factors = r->domain();
  std::int64_t n = 1;
  for (auto d : in) n *= d;
  std::vector<Config> free_splits;
  for (const Config& c : enumerate_configs(factors, procs, 1)) {
    const Config si = r->input_split(0, c), so = r->output_split(0, c);
    bool moves = false;
    for (std::int64_t i = 0; i < n && !moves; ++i) {
      const std::int64_t device = owner(coordinates(i, factors), factors, c);
      moves = owner(coordinates(i, in), in, si) != device || owner(coordinates(i, out), out, so) != device;
    }
    if (!moves) free_splits.push_back(c);
  }
  EXPECT_EQ(r->configs(procs, 1), free_splits);
  EXPECT_GT(free_splits.size(), 1u);
  expect_free(*r, procs);
}

TEST(ReshapeAxesTest, a_head_split_maps_to_whole_heads_without_communication) {
  // (b, l, h * d_k) = (2, 4, 6) -> (2, 4, 2, 3): the refinement is the output; d split in 2 is h split in 2.
  const auto r = make("ReshapeAxes", {{2, 4, 6}}, Attrs().ints("shape", {2, 4, 2, 3}));
  EXPECT_EQ(r->domain(), Shape({2, 4, 2, 3}));
  EXPECT_EQ(r->output_shapes(), std::vector<Shape>({{2, 4, 2, 3}}));
  const auto configs = r->configs(4, 1);
  const auto has = [&](const Config& c) { return std::find(configs.begin(), configs.end(), c) != configs.end(); };
  EXPECT_TRUE(has({1, 1, 2, 1}));   // heads: no batch or sequence split needed first (Ravel/Unravel would)
  EXPECT_TRUE(has({2, 2, 1, 1}));
  EXPECT_FALSE(has({1, 1, 1, 3}));  // a part of every head: d is not split into blocks
  EXPECT_EQ(r->input_split(0, {1, 1, 2, 1}), Config({1, 1, 2}));
  EXPECT_EQ(r->output_split(0, {1, 1, 2, 1}), Config({1, 1, 2, 1}));
  EXPECT_EQ(r->input_split(0, {2, 1, 2, 1}), Config({2, 1, 2}));
}

TEST(ReshapeAxesTest, configurations_are_exactly_the_splits_that_move_nothing) {
  expect_configs_are_the_communication_free_splits({2, 4, 6}, {2, 4, 2, 3}, 8);  // split d into heads
  expect_configs_are_the_communication_free_splits({2, 4, 2, 3}, {2, 4, 6}, 8);  // merge them back
  expect_configs_are_the_communication_free_splits({8, 6}, {2, 4, 6}, 8);        // (b * l, d) -> (b, l, d)
  expect_configs_are_the_communication_free_splits({2, 6}, {4, 3}, 6);           // split and merge: (2, 2, 3)
  expect_configs_are_the_communication_free_splits({4, 1, 6}, {1, 4, 2, 3}, 8);  // axes of size 1
}

TEST(ReshapeAxesTest, a_reshape_that_is_not_a_split_or_merge_names_the_field) {
  EXPECT_TRUE(throws_naming([] { make("ReshapeAxes", {{6, 4}}, Attrs().ints("shape", {4, 6})); }, "field 'shape'"));
  EXPECT_TRUE(throws_naming([] { make("ReshapeAxes", {{6, 4}}, Attrs().ints("shape", {5, 5})); }, "field 'shape'"));
  EXPECT_TRUE(throws_naming([] { make("ReshapeAxes", {{6, 4}}, Attrs().ints("shape", {24, 0})); }, "field 'shape'"));
  EXPECT_TRUE(throws_naming([] { make("ReshapeAxes", {{6, 4}}); }, "field 'shape'"));
  EXPECT_TRUE(throws_naming([] { make("ReshapeAxes", {{6, 4}, {6, 4}}, Attrs().ints("shape", {24})); }, "field 'in'"));
}

// --------------------------------------------------------------------------------------- Transpose

TEST(TransposeTest, output_split_is_permuted) {
  // (2, 3, 4) with perm [2, 0, 1] -> (4, 2, 3)
  const auto t = make("Transpose", {{2, 3, 4}}, Attrs().ints("perm", {2, 0, 1}));
  EXPECT_EQ(t->domain(), Shape({2, 3, 4}));
  EXPECT_EQ(t->output_shapes(), std::vector<Shape>({{4, 2, 3}}));
  expect_free(*t, 4);
  EXPECT_EQ(t->input_split(0, {2, 3, 4}), Config({2, 3, 4}));
  EXPECT_EQ(t->output_split(0, {2, 1, 4}), Config({4, 2, 1}));
}

TEST(TransposeTest, shape_errors_name_the_field) {
  EXPECT_TRUE(throws_naming([] { make("Transpose", {{2, 3, 4}}, Attrs().ints("perm", {0, 0, 1})); }, "field 'perm'"));
  EXPECT_TRUE(throws_naming([] { make("Transpose", {{2, 3, 4}}, Attrs().ints("perm", {1, 0})); }, "field 'perm'"));
  EXPECT_TRUE(throws_naming([] { make("Transpose", {{2, 3, 4}}, Attrs().ints("perm", {0, 1, 3})); }, "field 'perm'"));
  EXPECT_TRUE(throws_naming([] { make("Transpose", {{2, 3, 4}}); }, "field 'perm'"));
}

}  // namespace
}  // namespace pase
