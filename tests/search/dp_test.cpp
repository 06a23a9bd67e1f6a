#include "pase/search/dp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "pase/search/order.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::near_relative;

Solution solve_in(const Problem& p, const std::vector<int>& order) { return solve(p, make_plan(p, order)); }

Solution solve_greedy(const Problem& p) { return solve_in(p, elimination_order(p, OrderKind::greedy)); }

TEST(DpTest, two_vertices_worked_by_hand) {
  // a: {5, 1}, b: {0, 3}, edge a -> b: [[0, 10], [10, 0]]
  //   (0,0) = 5 + 0 + 0 = 5     (0,1) = 5 + 3 + 10 = 18
  //   (1,0) = 1 + 0 + 10 = 11   (1,1) = 1 + 3 + 0 = 4   <- optimum
  Problem p;
  p.vertices = {{"a", {5, 1}}, {"b", {0, 3}}};
  p.edges = {make_edge(0, 1, {0, 10, 10, 0})};
  for (const auto& order : {std::vector<int>{0, 1}, std::vector<int>{1, 0}}) {
    const Solution s = solve_in(p, order);
    EXPECT_EQ(s.total_cost, 4.0);
    EXPECT_EQ(s.dp_minimum, 4.0);
    EXPECT_EQ(s.configs, std::vector<int>({1, 1}));
    EXPECT_EQ(s.dp_cells, 2u * 2u + 2u);  // the first step: 2 entries x 2 configurations; the root: 2
  }
  const Solution b = brute_force(p);
  EXPECT_EQ(b.total_cost, 4.0);
  EXPECT_EQ(b.configs, std::vector<int>({1, 1}));
}

TEST(DpTest, edge_direction_is_respected) {
  // The same matrix as from b to a: costs[j * 2 + i] with b in j and a in i. a: {0, 0}, b: {0, 0}
  // edge b -> a: [[7, 1], [9, 8]] -> minimum 1 at b = 0, a = 1.
  Problem p;
  p.vertices = {{"a", {0, 0}}, {"b", {0, 0}}};
  p.edges = {make_edge(1, 0, {7, 1, 9, 8})};
  for (const auto& order : {std::vector<int>{0, 1}, std::vector<int>{1, 0}}) {
    const Solution s = solve_in(p, order);
    EXPECT_EQ(s.total_cost, 1.0);
    EXPECT_EQ(s.configs, std::vector<int>({1, 0}));
  }
}

TEST(DpTest, a_single_vertex_takes_its_first_cheapest_configuration) {
  Problem p;
  p.vertices = {{"a", {3, 1, 1, 2}}};
  EXPECT_EQ(solve_greedy(p).configs, std::vector<int>({1}));
  // Nine configurations: the vectorised minimum sees ties in different lanes (1, 7 and 8).
  p.vertices = {{"a", {5, 1, 5, 5, 5, 5, 5, 1, 1}}};
  EXPECT_EQ(solve_greedy(p).configs, std::vector<int>({1}));
  // Every length from 1 to 24, random small costs: the index of the first minimum.
  std::mt19937 rng(7);
  for (int n = 1; n <= 24; ++n)
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> costs(n);
      for (auto& c : costs) c = static_cast<double>(rng() % 3);
      p.vertices = {{"a", costs}};
      const auto first_min = std::min_element(costs.begin(), costs.end()) - costs.begin();
      const Solution s = solve_greedy(p);
      ASSERT_EQ(s.configs[0], first_min) << "n = " << n;
      ASSERT_EQ(s.total_cost, costs[first_min]);
    }
}

TEST(DpTest, ties_with_a_neighbour_go_to_the_lowest_index) {
  // a (6 configurations, all cost 0) -> b (1 configuration); the edge costs 2 except at a = 3 and
  // a = 5 where it costs 1: a picks 3.
  Problem p;
  p.vertices = {{"a", {0, 0, 0, 0, 0, 0}}, {"b", {0}}};
  p.edges = {make_edge(0, 1, {2, 2, 2, 1, 2, 1})};
  EXPECT_EQ(solve_in(p, {0, 1}).configs, std::vector<int>({3, 0}));
  EXPECT_EQ(solve_in(p, {1, 0}).configs, std::vector<int>({3, 0}));
}

TEST(DpTest, all_zero_costs_pick_configuration_zero_everywhere) {
  // A 6-vertex graph with a cycle, a chord, a pendant and a separate pair; 1 to 5 configurations.
  Problem p;
  const std::vector<int> counts = {3, 5, 2, 4, 1, 3};
  for (int v = 0; v < 6; ++v) p.vertices.push_back({"v" + std::to_string(v), std::vector<double>(counts[v], 0.0)});
  for (auto [a, b] : std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 0}, {1, 3}, {4, 5}})
    p.edges.push_back(make_edge(a, b, std::vector<double>(static_cast<std::size_t>(counts[a] * counts[b]), 0.0)));
  for (const auto& order : {elimination_order(p, OrderKind::greedy), elimination_order(p, OrderKind::breadth_first),
                            std::vector<int>{5, 3, 1, 0, 4, 2}}) {
    const Solution s = solve_in(p, order);
    EXPECT_EQ(s.total_cost, 0.0);
    EXPECT_EQ(s.configs, std::vector<int>(6, 0));
  }
}

TEST(DpTest, ties_are_broken_the_same_way_every_time) {
  std::mt19937 rng(11);
  Problem p;
  for (int v = 0; v < 7; ++v) {
    std::vector<double> costs(2 + v % 4);
    for (auto& c : costs) c = static_cast<double>(rng() % 2);
    p.vertices.push_back({"v" + std::to_string(v), costs});
  }
  for (auto [a, b] : std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 3}, {0, 3}, {3, 4}, {4, 5}, {5, 6}, {2, 6}}) {
    std::vector<double> costs(p.config_count(a) * p.config_count(b));
    for (auto& c : costs) c = static_cast<double>(rng() % 2);
    p.edges.push_back(make_edge(a, b, costs));
  }
  const auto order = elimination_order(p, OrderKind::greedy);
  const Solution first = solve_in(p, order), second = solve_in(p, order);
  EXPECT_EQ(first.configs, second.configs);
  EXPECT_EQ(first.total_cost, second.total_cost);
  EXPECT_EQ(first.total_cost, brute_force(p).total_cost);
}

// A vertex with `wide` configurations joined to one with `narrow`, random costs: exercises the 2- and
// 4-byte back-substitution tables.
void check_wide_vertex(std::size_t wide, std::size_t narrow, unsigned seed) {
  std::mt19937 rng(seed);
  auto random_costs = [&](std::size_t n) {
    std::vector<double> v(n);
    for (auto& c : v) c = static_cast<double>(rng() % 1000);
    return v;
  };
  Problem p;
  p.vertices = {{"wide", random_costs(wide)}, {"narrow", random_costs(narrow)}};
  p.edges = {make_edge(0, 1, random_costs(wide * narrow))};
  const double best = brute_force(p).total_cost;
  for (const auto& order : {std::vector<int>{0, 1}, std::vector<int>{1, 0}}) {
    const Solution s = solve_in(p, order);
    EXPECT_EQ(s.total_cost, best);
    EXPECT_EQ(evaluate(p, s.configs), best);
  }
}

TEST(DpTest, wide_vertices_with_two_byte_argmins) { check_wide_vertex(300, 3, 5); }

TEST(DpTest, wide_vertices_with_four_byte_argmins) { check_wide_vertex(65537, 2, 6); }

TEST(DpTest, solution_reports_the_plan_cells_and_its_own_total) {
  // Chain a - b - c with 2, 3 and 2 configurations.
  Problem p;
  p.vertices = {{"a", {1, 2}}, {"b", {4, 0, 4}}, {"c", {3, 1}}};
  p.edges = {make_edge(0, 1, {0, 1, 2, 3, 4, 5}), make_edge(1, 2, {1, 1, 0, 0, 1, 1})};
  const Plan plan = make_plan(p, elimination_order(p, OrderKind::greedy));
  const Solution s = solve(p, plan);
  EXPECT_EQ(s.dp_cells, plan.totals.dp_cells);
  EXPECT_EQ(s.total_cost, evaluate(p, s.configs));
  // By hand, per choice of b: b = 0: 4 + min(1 + 0, 2 + 3) + min(3 + 1, 1 + 1) = 7;
  // b = 1: 0 + min(1 + 1, 2 + 4) + min(3 + 0, 1 + 0) = 3; b = 2: 4 + min(1 + 2, 2 + 5) + min(3 + 1, 1 + 1) = 9.
  EXPECT_EQ(s.total_cost, 3.0);
  EXPECT_EQ(s.configs, std::vector<int>({0, 1, 1}));
  EXPECT_TRUE(near_relative(s.dp_minimum, 3.0));
}

TEST(DpTest, brute_force_refuses_too_many_combinations) {
  Problem p;
  for (int v = 0; v < 4; ++v) p.vertices.push_back({"v", {0, 0}});
  EXPECT_THROW(brute_force(p, 15), std::invalid_argument);  // 2^4 = 16 combinations
  EXPECT_NO_THROW(brute_force(p, 16));
}

}  // namespace
}  // namespace pase
