#include "pase/search/plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "support/test_support.hpp"

namespace pase {
namespace {

// A problem whose vertex v has counts[v] configurations (zero costs) and an edge per listed pair.
Problem graph(const std::vector<int>& counts, const std::vector<std::pair<int, int>>& edges) {
  Problem p;
  for (std::size_t v = 0; v < counts.size(); ++v)
    p.vertices.push_back({"v" + std::to_string(v), std::vector<double>(counts[v], 0.0)});
  for (auto [a, b] : edges)
    p.edges.push_back(make_edge(a, b, std::vector<double>(static_cast<std::size_t>(counts[a] * counts[b]), 0.0)));
  return p;
}

std::vector<int> sorted(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(PlanTest, chain_in_order) {
  // 0 --- 1 --- 2   with 2, 3 and 4 configurations, eliminated 0, 1, 2.
  const Plan plan = make_plan(graph({2, 3, 4}, {{0, 1}, {1, 2}}), {0, 1, 2});
  ASSERT_EQ(plan.steps.size(), 3u);
  // step 0: vertex 0, dependent set {1}: 3 entries, 3 * 2 = 6 cells, consumed by step 1
  // step 1: vertex 1, dependent set {2}: 4 entries, 4 * 3 = 12 cells, consumed by step 2
  // step 2: vertex 2, dependent set {}: 1 entry, 1 * 4 = 4 cells, a root
  EXPECT_EQ(plan.steps[0].vertex, 0);
  EXPECT_EQ(plan.steps[0].scope, std::vector<int>({1}));
  EXPECT_EQ(plan.steps[0].entries, 3u);
  EXPECT_EQ(plan.steps[0].cells, 6u);
  EXPECT_EQ(plan.steps[0].consumer_step, 1);
  EXPECT_EQ(plan.steps[0].edge_neighbours, std::vector<int>({1}));
  EXPECT_EQ(plan.steps[1].scope, std::vector<int>({2}));
  EXPECT_EQ(plan.steps[1].entries, 4u);
  EXPECT_EQ(plan.steps[1].cells, 12u);
  EXPECT_EQ(plan.steps[1].consumer_step, 2);
  EXPECT_EQ(plan.steps[1].child_steps, std::vector<int>({0}));
  EXPECT_EQ(plan.steps[1].edge_neighbours, std::vector<int>({2}));
  EXPECT_TRUE(plan.steps[2].scope.empty());
  EXPECT_EQ(plan.steps[2].entries, 1u);
  EXPECT_EQ(plan.steps[2].cells, 4u);
  EXPECT_EQ(plan.steps[2].consumer_step, -1);
  EXPECT_EQ(plan.steps[2].child_steps, std::vector<int>({1}));
  EXPECT_TRUE(plan.steps[2].edge_neighbours.empty());

  // dp cells 6 + 12 + 4 = 22; largest table 4 entries; largest dependent set 1
  EXPECT_EQ(plan.totals.dp_cells, 22u);
  EXPECT_EQ(plan.totals.largest_table_entries, 4u);
  EXPECT_EQ(plan.totals.largest_dependent_set, 1);
  // Cost tables (8 bytes per entry) alive: after step 0 24 B, after step 1 24 + 32 = 56 B (then step 0's
  // is freed), after step 2 32 + 8 = 40 B. Back-substitution: 1 byte per entry, 3 + 4 + 1 = 8 B.
  // Peak of both: step 1, 56 + (3 + 4) = 63 B.
  EXPECT_EQ(plan.totals.peak_cost_table_bytes, 56u);
  EXPECT_EQ(plan.totals.argmin_bytes, 8u);
  EXPECT_EQ(plan.totals.peak_bytes, 63u);
  EXPECT_EQ(plan.order, std::vector<int>({0, 1, 2}));
  EXPECT_EQ(plan.step_of_vertex, std::vector<int>({0, 1, 2}));
}

TEST(PlanTest, chain_from_the_middle_joins_the_ends) {
  // 0 --- 1 --- 2   with 2, 3 and 4 configurations, eliminated 1, 0, 2: eliminating 1 first makes
  // its dependent set {0, 2} (fill-in 0 - 2): 2 * 4 = 8 entries, 8 * 3 = 24 cells; then 0 with {2}:
  // 4 entries, 8 cells; then 2: 1 entry, 4 cells. Total 36.
  const Plan plan = make_plan(graph({2, 3, 4}, {{0, 1}, {1, 2}}), {1, 0, 2});
  EXPECT_EQ(plan.step_of_vertex, std::vector<int>({1, 0, 2}));
  EXPECT_EQ(plan.steps[0].vertex, 1);
  EXPECT_EQ(plan.steps[0].entries, 8u);
  EXPECT_EQ(plan.steps[0].cells, 24u);
  // The consumer is the dependent vertex eliminated first (0, at step 1), and comes first in the scope.
  EXPECT_EQ(plan.steps[0].consumer_step, 1);
  ASSERT_EQ(plan.steps[0].scope.size(), 2u);
  EXPECT_EQ(plan.steps[0].scope[0], 0);
  EXPECT_EQ(sorted(plan.steps[0].scope), std::vector<int>({0, 2}));
  EXPECT_EQ(sorted(plan.steps[0].edge_neighbours), std::vector<int>({0, 2}));
  EXPECT_EQ(plan.steps[1].vertex, 0);
  EXPECT_EQ(plan.steps[1].entries, 4u);
  EXPECT_EQ(plan.steps[1].cells, 8u);
  EXPECT_TRUE(plan.steps[1].edge_neighbours.empty());  // its only edge went to 1, already eliminated
  EXPECT_EQ(plan.steps[2].cells, 4u);
  EXPECT_EQ(plan.totals.dp_cells, 36u);
  EXPECT_EQ(plan.totals.largest_table_entries, 8u);
  EXPECT_EQ(plan.totals.largest_dependent_set, 2);
}

TEST(PlanTest, four_cycle_worked_by_hand) {
  //   0 --- 1        configurations: 0:2  1:3  2:4  3:5
  //   |     |        order 0, 1, 2, 3
  //   3 --- 2
  //
  // step 0: vertex 0, dependent set {1, 3} (fill-in 1 - 3): 3 * 5 = 15 entries, 30 cells
  // step 1: vertex 1, dependent set {2, 3}: 4 * 5 = 20 entries, 60 cells
  // step 2: vertex 2, dependent set {3}: 5 entries, 20 cells
  // step 3: vertex 3, dependent set {}: 1 entry, 5 cells
  const Plan plan = make_plan(graph({2, 3, 4, 5}, {{0, 1}, {1, 2}, {2, 3}, {3, 0}}), {0, 1, 2, 3});
  const std::vector<std::uint64_t> entries = {15, 20, 5, 1}, cells = {30, 60, 20, 5};
  const std::vector<std::vector<int>> scopes = {{1, 3}, {2, 3}, {3}, {}};
  const std::vector<int> consumers = {1, 2, 3, -1};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    EXPECT_EQ(plan.steps[i].vertex, i);
    EXPECT_EQ(plan.steps[i].entries, entries[i]);
    EXPECT_EQ(plan.steps[i].cells, cells[i]);
    EXPECT_EQ(sorted(plan.steps[i].scope), scopes[i]);
    EXPECT_EQ(sorted(plan.steps[i].loop), scopes[i]);
    EXPECT_EQ(plan.steps[i].consumer_step, consumers[i]);
    if (!scopes[i].empty()) {
      EXPECT_EQ(plan.steps[i].scope[0], i + 1);
    }
    EXPECT_EQ(plan.steps[i].argmin_bytes_per_entry, 1u);
  }
  // Edges to vertices eliminated later: 0 -> {1, 3}; 1 -> {2} (0 is gone); 2 -> {3}; 3 -> {}.
  EXPECT_EQ(sorted(plan.steps[0].edge_neighbours), std::vector<int>({1, 3}));
  EXPECT_EQ(plan.steps[1].edge_neighbours, std::vector<int>({2}));
  EXPECT_EQ(plan.steps[2].edge_neighbours, std::vector<int>({3}));
  EXPECT_TRUE(plan.steps[3].edge_neighbours.empty());
  // 30 + 60 + 20 + 5 = 115 cells
  EXPECT_EQ(plan.totals.dp_cells, 115u);
  EXPECT_EQ(plan.totals.largest_table_entries, 20u);
  EXPECT_EQ(plan.totals.largest_dependent_set, 2);
  // Cost tables alive: 120 B; 120 + 160 = 280 B (peak), then 160; 160 + 40 = 200, then 40; 48.
  // Back-substitution bytes so far: 15, 35, 40, 41. Both: 135, 315 (peak), 240, 89.
  EXPECT_EQ(plan.totals.peak_cost_table_bytes, 280u);
  EXPECT_EQ(plan.totals.argmin_bytes, 41u);
  EXPECT_EQ(plan.totals.peak_bytes, 315u);
}

TEST(PlanTest, disconnected_parts_give_several_roots) {
  // 0 - 1    2    3 - 4: roots are the last vertex of each part.
  const Plan plan = make_plan(graph({2, 2, 3, 2, 2}, {{0, 1}, {3, 4}}), {0, 1, 2, 3, 4});
  std::vector<int> roots;
  for (std::size_t i = 0; i < plan.steps.size(); ++i)
    if (plan.steps[i].consumer_step < 0) roots.push_back(plan.steps[i].vertex);
  EXPECT_EQ(roots, std::vector<int>({1, 2, 4}));
  // 2*2 + 2 + 3 + 2*2 + 2 = 15 cells
  EXPECT_EQ(plan.totals.dp_cells, 15u);
}

TEST(PlanTest, argmin_width_follows_the_configuration_count) {
  // 1 byte up to 256 configurations, 2 up to 65536, 4 above.
  const Plan plan = make_plan(graph({256, 257, 65537}, {}), {0, 1, 2});
  EXPECT_EQ(plan.steps[0].argmin_bytes_per_entry, 1u);
  EXPECT_EQ(plan.steps[1].argmin_bytes_per_entry, 2u);
  EXPECT_EQ(plan.steps[2].argmin_bytes_per_entry, 4u);
  EXPECT_EQ(plan.totals.argmin_bytes, 1u + 2u + 4u);
}

TEST(PlanTest, rejects_an_order_that_is_not_a_permutation) {
  const Problem p = graph({2, 2, 2}, {{0, 1}});
  EXPECT_TRUE(test::throws_naming([&] { make_plan(p, {0, 1}); }, "every vertex"));
  EXPECT_TRUE(test::throws_naming([&] { make_plan(p, {0, 1, 1}); }, "permutation"));
  EXPECT_TRUE(test::throws_naming([&] { make_plan(p, {0, 1, 3}); }, "permutation"));
  EXPECT_TRUE(test::throws_naming([&] { make_plan(p, {0, -1, 2}); }, "permutation"));
}

TEST(PlanTest, saturating_arithmetic) {
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(saturating_multiply(6, 7), 42u);
  EXPECT_EQ(saturating_multiply(std::uint64_t{1} << 32, std::uint64_t{1} << 32), max);
  EXPECT_EQ(saturating_multiply(max, 0), 0u);
  EXPECT_EQ(saturating_add(40, 2), 42u);
  EXPECT_EQ(saturating_add(max, 1), max);
}

}  // namespace
}  // namespace pase
