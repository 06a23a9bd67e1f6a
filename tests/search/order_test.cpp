#include "pase/search/order.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace pase {
namespace {

// A problem with one configuration per vertex and an edge per listed pair.
Problem graph(int n, const std::vector<std::pair<int, int>>& edges) {
  Problem p;
  for (int v = 0; v < n; ++v) p.vertices.push_back({"v" + std::to_string(v), {0.0}});
  for (auto [a, b] : edges) p.edges.push_back(make_edge(a, b, {0.0}));
  return p;
}

// The hand-drawn graph of these tests:
//
//    0 ---- 1 ---- 2
//    |      |
//    3 ---- 4          5 ---- 6
//
const std::vector<std::pair<int, int>> drawn_edges = {{0, 1}, {1, 2}, {0, 3}, {1, 4}, {3, 4}, {5, 6}};

TEST(OrderTest, neighbour_lists_are_sorted_undirected_and_deduplicated) {
  // The drawn graph, with one edge repeated and one reversed duplicate.
  auto edges = drawn_edges;
  edges.push_back({1, 0});
  edges.push_back({6, 5});
  const auto n = neighbour_lists(graph(7, edges));
  const std::vector<std::vector<int>> expected = {{1, 3}, {0, 2, 4}, {1}, {0, 4}, {1, 3}, {6}, {5}};
  EXPECT_EQ(n, expected);
}

TEST(OrderTest, greedy_order_on_the_drawn_graph) {
  // Dependent set sizes at the start: 0:2 1:3 2:1 3:2 4:2 5:1 6:1.
  //  - 2 (size 1, lowest index of the size-1 vertices); 1 loses 2 -> {0,4}
  //  - 5 (size 1); 6 loses 5 -> {}
  //  - 6 (size 0)
  //  - 0, 1, 3, 4 all have size 2: take 0; 1 becomes {3,4}, 3 becomes {1,4} (fill-in 1-3)
  //  - 1, 3, 4 all have size 2: take 1; 3 becomes {4}, 4 becomes {3}
  //  - 3 (size 1), then 4
  const std::vector<int> expected = {2, 5, 6, 0, 1, 3, 4};
  EXPECT_EQ(greedy_order(neighbour_lists(graph(7, drawn_edges))), expected);
  EXPECT_EQ(elimination_order(graph(7, drawn_edges), OrderKind::greedy), expected);
}

TEST(OrderTest, greedy_order_on_a_star_takes_leaves_first_then_breaks_ties_by_index) {
  //      1
  //      |
  //  2 - 0 - 3        0 has 4 neighbours, each leaf 1.
  //      |            Leaves 1, 2, 3 go first; then 0 and 4 both have size 1: 0 (lower index), then 4.
  //      4
  const std::vector<int> expected = {1, 2, 3, 0, 4};
  EXPECT_EQ(greedy_order(neighbour_lists(graph(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}}))), expected);
}

TEST(OrderTest, greedy_order_updates_dependent_sets_with_fill_in) {
  // A 4-cycle with a pendant vertex:
  //
  //   0 --- 1
  //   |     |        sizes: 0:2 1:2 2:3 3:2 4:1
  //   3 --- 2 --- 4  4 first; then 0,1,2,3 all size 2 -> 0 (fill 1-3); then 1:{2,3} 2:{1,3} 3:{1,2}
  //                  -> 1; then 2:{3} 3:{2} -> 2, 3.
  const std::vector<int> expected = {4, 0, 1, 2, 3};
  EXPECT_EQ(greedy_order(neighbour_lists(graph(5, {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {2, 4}}))), expected);
}

TEST(OrderTest, breadth_first_order_on_the_drawn_graph) {
  // From 0: its neighbours 1, 3; from 1: 2, 4 (3 already queued); then the second part from 5.
  const std::vector<int> expected = {0, 1, 3, 2, 4, 5, 6};
  EXPECT_EQ(breadth_first_order(neighbour_lists(graph(7, drawn_edges))), expected);
  EXPECT_EQ(elimination_order(graph(7, drawn_edges), OrderKind::breadth_first), expected);
}

TEST(OrderTest, orders_are_permutations_on_an_edgeless_graph) {
  const std::vector<int> expected = {0, 1, 2, 3};
  EXPECT_EQ(greedy_order(neighbour_lists(graph(4, {}))), expected);
  EXPECT_EQ(breadth_first_order(neighbour_lists(graph(4, {}))), expected);
}

TEST(OrderTest, parse_order_kind_accepts_the_two_names_and_rejects_others) {
  EXPECT_EQ(parse_order_kind("greedy"), OrderKind::greedy);
  EXPECT_EQ(parse_order_kind("bfs"), OrderKind::breadth_first);
  EXPECT_EQ(to_string(OrderKind::greedy), "greedy");
  EXPECT_EQ(to_string(OrderKind::breadth_first), "bfs");
  EXPECT_TRUE(test::throws_naming([] { parse_order_kind("dfs"); }, "--order", "dfs"));
}

TEST(OrderTest, parse_order_kind_accepts_the_table_size_orders_and_auto) {
  for (OrderKind kind : {OrderKind::weighted, OrderKind::min_fill, OrderKind::automatic})
    EXPECT_EQ(parse_order_kind(to_string(kind)), kind);
  EXPECT_EQ(to_string(OrderKind::weighted), "weighted");
  EXPECT_EQ(to_string(OrderKind::min_fill), "minfill");
  EXPECT_EQ(to_string(OrderKind::automatic), "auto");
  EXPECT_TRUE(test::throws_naming([] { elimination_order(graph(2, {}), OrderKind::automatic); }, "auto"));
}

// The chain 0 - 1 - 2 with 2, 100 and 3 configurations.
const std::vector<std::size_t> chain_configs = {2, 100, 3};
const std::vector<std::vector<int>> chain_neighbours = {{1}, {0, 2}, {1}};

TEST(OrderTest, weighted_order_takes_the_smallest_table_first) {
  // Table entries: 0: 100, 1: 2*3 = 6, 2: 100 -> 1; then 0 and 2 are joined: 0: 3, 2: 2 -> 2, then 0.
  // (Greedy takes 0 first: its dependent set is the smallest, but its table has 100 entries.)
  EXPECT_EQ(weighted_order(chain_neighbours, chain_configs), (std::vector<int>{1, 2, 0}));
  EXPECT_EQ(greedy_order(chain_neighbours), (std::vector<int>{0, 1, 2}));
}

TEST(OrderTest, min_fill_order_takes_the_fewest_fill_edges_then_the_smallest_table) {
  // Fill: 0: 0, 1: 1 (0 and 2 are not joined), 2: 0; 0 and 2 tie on fill and on 100 entries -> 0.
  // Then 1 {2} has 3 entries, 2 {1} has 100 -> 1, then 2.
  EXPECT_EQ(min_fill_order(chain_neighbours, chain_configs), (std::vector<int>{0, 1, 2}));
  // The drawn graph with one configuration each: fill 0: 1 (1-3), 1: 3, 2: 0, 3: 1, 4: 1, 5: 0, 6: 0
  // -> 2; then 5, 6 (fill 0, lowest index); 1 {0,4}: 1, 0 {1,3}: 1, 3 {0,4}: 1, 4 {1,3}: 1 -> 0;
  // then 1 {3,4}, 3 {1,4}, 4 {1,3} form a triangle: fill 0 each -> 1, 3, 4.
  const auto neighbours = neighbour_lists(graph(7, drawn_edges));
  EXPECT_EQ(min_fill_order(neighbours, std::vector<std::size_t>(7, 1)), (std::vector<int>{2, 5, 6, 0, 1, 3, 4}));
}

TEST(OrderTest, table_size_orders_are_permutations_on_an_edgeless_graph) {
  const std::vector<int> expected = {0, 1, 2, 3};
  const std::vector<std::size_t> configs = {4, 3, 2, 1};
  EXPECT_EQ(weighted_order(neighbour_lists(graph(4, {})), configs), expected);
  EXPECT_EQ(min_fill_order(neighbour_lists(graph(4, {})), configs), expected);
}

}  // namespace
}  // namespace pase
