#include "pase/problem.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "support/test_support.hpp"

namespace pase {
namespace {

using test::throws_naming;

// a (2 configs) -> b (3 configs), plus an isolated c (1 config).
Problem small_problem() {
  Problem p;
  p.vertices = {{"a", {1.0, 2.0}}, {"b", {10.0, 20.0, 30.0}}, {"c", {7.0}}};
  // costs[i * 3 + j]: a in i, b in j.
  p.edges = {make_edge(0, 1, {100.0, 200.0, 300.0, 400.0, 500.0, 600.0})};
  return p;
}

TEST(ProblemTest, evaluate_sums_vertices_and_the_chosen_edge_entry) {
  const Problem p = small_problem();
  // a=1 (2) + b=2 (30) + c (7) + edge[1*3+2] (600) = 639
  EXPECT_EQ(evaluate(p, {1, 2, 0}), 639.0);
  // a=0 (1) + b=0 (10) + c (7) + edge[0] (100) = 118
  EXPECT_EQ(evaluate(p, {0, 0, 0}), 118.0);
}

TEST(ProblemTest, evaluate_adds_parallel_edges) {
  Problem p = small_problem();
  p.edges.push_back(make_edge(1, 0, {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}));  // b -> a: costs[j * 2 + i]
  // 639 from above, plus the reverse edge at b=2, a=1: index 2*2+1 = 5 -> 6
  EXPECT_EQ(evaluate(p, {1, 2, 0}), 645.0);
}

TEST(ProblemTest, validate_accepts_a_consistent_problem) { EXPECT_NO_THROW(small_problem().validate()); }

TEST(ProblemTest, validate_rejects_inconsistencies) {
  EXPECT_TRUE(throws_naming([] { Problem().validate(); }, "no vertices"));
  EXPECT_TRUE(throws_naming(
      [] {
        Problem p = small_problem();
        p.vertices[2].costs.clear();
        p.validate();
      },
      "'c'"));
  EXPECT_TRUE(throws_naming(
      [] {
        Problem p = small_problem();
        auto costs = *p.edges[0].costs;
        costs.pop_back();
        p.edges[0] = make_edge(0, 1, costs);
        p.validate();
      },
      "'a' -> 'b'", "5 costs", "expected 6"));
  EXPECT_TRUE(throws_naming(
      [] {
        Problem p = small_problem();
        p.edges[0].to = 3;
        p.validate();
      },
      "0 -> 3"));
  EXPECT_TRUE(throws_naming(
      [] {
        Problem p = small_problem();
        p.edges[0].to = 0;
        p.validate();
      },
      "0 -> 0"));
  EXPECT_TRUE(throws_naming(
      [] {
        Problem p = small_problem();
        p.vertices[1].costs[1] = std::numeric_limits<double>::quiet_NaN();
        p.validate();
      },
      "'b'", "finite"));
  EXPECT_TRUE(throws_naming(
      [] {
        Problem p = small_problem();
        auto costs = *p.edges[0].costs;
        costs[3] = std::numeric_limits<double>::infinity();
        p.edges[0] = make_edge(0, 1, costs);
        p.validate();
      },
      "'a' -> 'b'", "finite"));
}

// A matrix shared by several edges (repeated layers) is checked once, and a bad entry is still named
// by the first edge that uses it; a matrix of its own after a shared one is checked too.
TEST(ProblemTest, validate_checks_shared_matrices_once_but_every_distinct_one) {
  auto repeated = [](std::vector<double> first, std::vector<double> last) {
    Problem p;
    p.vertices = {{"a", {1.0}}, {"b", {2.0}}, {"c", {3.0}}, {"d", {4.0}}};
    const CostMatrix shared = std::make_shared<const std::vector<double>>(std::move(first));
    p.edges = {{0, 1, shared}, {1, 2, shared}, make_edge(2, 3, std::move(last))};
    return p;
  };
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_NO_THROW(repeated({5.0}, {6.0}).validate());
  EXPECT_TRUE(throws_naming([&] { repeated({inf}, {6.0}).validate(); }, "'a' -> 'b'", "finite"));
  EXPECT_TRUE(throws_naming([&] { repeated({5.0}, {inf}).validate(); }, "'c' -> 'd'", "finite"));
}

}  // namespace
}  // namespace pase
