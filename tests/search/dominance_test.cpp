// Dominance pruning: hand-worked cases, and on random problems the same optimum as exhaustive
// search and as the unpruned DP, whatever the number of threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "pase/search/dominance.hpp"
#include "pase/search/dp.hpp"
#include "pase/search/order_choice.hpp"

namespace pase {
namespace {

using Rng = std::mt19937_64;

int below(Rng& rng, int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }

// Two vertices, one edge 0 -> 1 (rows: vertex 0's configuration).
Problem pair(std::vector<double> c0, std::vector<double> c1, std::vector<double> edge) {
  Problem p;
  p.vertices = {{"a", std::move(c0)}, {"b", std::move(c1)}};
  p.edges = {make_edge(0, 1, std::move(edge))};
  p.validate();
  return p;
}

TEST(DominanceTest, a_configuration_worse_whatever_the_neighbour_chooses_goes) {
  // Vertex 0: config 1 costs 5 more and its edge row is at most 1 cheaper: 5 - 1 > 0, dominated.
  // Vertex 1: config 0 is 1 cheaper, but its column is up to 3 dearer: not dominated in round 1.
  // Round 2 sees only row 0 (10, 7): config 1 now wins by 3 - 1 = 2 and config 0 goes. The optimum
  // (0, 1) = 1 + 3 + 7 = 11 survives; (0, 0) = 13, (1, 0) = 17, (1, 1) = 16.
  const Problem p = pair({1, 6}, {2, 3}, {10, 7, 9, 7});
  const PrunedProblem r = prune_dominated(p);
  EXPECT_EQ(r.kept[0], (std::vector<int>{0}));
  EXPECT_EQ(r.kept[1], (std::vector<int>{1}));
  EXPECT_EQ(r.configs_before, 4u);
  EXPECT_EQ(r.configs_after, 2u);
  EXPECT_EQ(*r.problem.edges[0].costs, (std::vector<double>{7}));
  EXPECT_EQ(evaluate(p, r.expand({0, 0})), 11.0);
}

TEST(DominanceTest, a_later_round_prunes_what_the_first_made_possible) {
  // Round 1 drops vertex 0's config 1 (cost 100); then vertex 1's config 1 only meets row 0, where
  // it is 5 dearer with the same own cost: dropped in round 2.
  const Problem p = pair({0, 100}, {0, 0}, {1, 6, 50, 0});
  const PrunedProblem r = prune_dominated(p);
  EXPECT_EQ(r.kept[0], (std::vector<int>{0}));
  EXPECT_EQ(r.kept[1], (std::vector<int>{0}));
  EXPECT_EQ(r.passes, 3);  // two that prune, one that finds nothing more
}

TEST(DominanceTest, exact_duplicates_keep_the_lowest_index_and_near_ties_stay) {
  // Vertex 0's configs 0 and 2 are identical (cost and row): 2 goes. Config 1 is better than 0 by
  // less than the rounding margin: both stay.
  const Problem p = pair({4, 4 - 1e-12, 4}, {0}, {1, 1, 1});
  const PrunedProblem r = prune_dominated(p);
  EXPECT_EQ(r.kept[0], (std::vector<int>{0, 1}));
}

TEST(DominanceTest, expand_maps_back_to_the_original_indices) {
  const Problem p = pair({9, 1, 9, 2}, {0, 5}, {0, 0, 0, 0, 0, 0, 0, 0});
  const PrunedProblem r = prune_dominated(p);
  ASSERT_EQ(r.kept[0], (std::vector<int>{1}));
  ASSERT_EQ(r.kept[1], (std::vector<int>{0}));
  EXPECT_EQ(r.expand({0, 0}), (std::vector<int>{1, 0}));
}

TEST(DominanceTest, unpruned_is_the_identity) {
  const Problem p = pair({1, 6}, {2, 3}, {10, 7, 9, 7});
  const PrunedProblem r = unpruned(p);
  EXPECT_FALSE(r.pruned_any());
  EXPECT_EQ(r.kept[0], (std::vector<int>{0, 1}));
  EXPECT_EQ(r.problem.edges[0].costs, p.edges[0].costs);
}

// Random problems where dominance is common: own costs spread widely, edge costs in a narrower
// band (as a layer's compute against its re-layouts), small integers (ties), or reals.
Problem random_problem(Rng& rng, int n, int mode) {
  Problem p;
  auto cost = [&](double spread) {
    return mode == 0 ? static_cast<double>(below(rng, static_cast<int>(spread)))
                     : static_cast<double>(rng() >> 11) * 0x1.0p-53 * spread;
  };
  for (int v = 0; v < n; ++v) {
    std::vector<double> costs(static_cast<std::size_t>(1 + below(rng, 7)));
    for (auto& c : costs) c = cost(40);
    p.vertices.push_back({"v" + std::to_string(v), costs});
  }
  for (int a = 0; a < n; ++a)
    for (int b = a + 1; b < n; ++b) {
      if (b != a + 1 && below(rng, 100) >= 30) continue;
      std::vector<double> costs(p.config_count(a) * p.config_count(b));
      for (auto& c : costs) c = cost(8);
      p.edges.push_back(make_edge(a, b, costs));
    }
  p.validate();
  return p;
}

TEST(DominanceTest, random_problems_keep_the_optimum_of_brute_force_and_of_the_unpruned_dp) {
  Rng rng(20261202);
  std::uint64_t removed = 0, problems = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int mode = trial % 2;
    const Problem p = random_problem(rng, 2 + below(rng, 6), mode);
    SCOPED_TRACE("trial " + std::to_string(trial));
    const PrunedProblem one = prune_dominated(p, 1);
    const PrunedProblem two = prune_dominated(p, 2);
    ASSERT_EQ(one.kept, two.kept);
    for (const auto& k : one.kept) ASSERT_FALSE(k.empty());
    removed += one.configs_before - one.configs_after;
    ++problems;

    const Solution best = brute_force(p);
    const Solution unpruned_dp = solve(p, plan_in_order(p, OrderKind::greedy).plan);
    const Solution pruned_dp = solve(one.problem, plan_in_order(one.problem, OrderKind::greedy).plan);
    const std::vector<int> configs = one.expand(pruned_dp.configs);
    EXPECT_EQ(evaluate(p, configs), best.total_cost);
    EXPECT_EQ(evaluate(p, configs), unpruned_dp.total_cost);
    EXPECT_LE(pruned_dp.dp_cells, unpruned_dp.dp_cells);
    if (mode == 1) {
      EXPECT_EQ(configs, unpruned_dp.configs);  // reals: no ties, so the same strategy
    }
  }
  // The test is not vacuous: a good share of the configurations was pruned.
  EXPECT_GT(removed, problems);
}

// The pruning of the header, written plainly: every pair (b, a) of every vertex, each edge's worst
// difference read in full, rounds until nothing changes. The fast pruning's bounds, witnesses and
// chunked rows only skip work; they must keep exactly what this keeps.
std::vector<std::vector<int>> reference_pruning(const Problem& p, int& passes) {
  const int n = p.vertex_count();
  std::vector<std::vector<int>> kept(n);
  for (int v = 0; v < n; ++v)
    for (std::size_t a = 0; a < p.config_count(v); ++a) kept[v].push_back(static_cast<int>(a));
  auto entry = [&](const ProblemEdge& e, int v, int mine, int other) {
    return e.from == v ? e.cost(mine, other, p.config_count(e.to)) : e.cost(other, mine, p.config_count(e.to));
  };
  for (passes = 1;; ++passes) {
    std::vector<std::vector<int>> next(n);
    bool any = false;
    for (int v = 0; v < n; ++v) {
      std::vector<const ProblemEdge*> edges;
      for (const auto& e : p.edges)
        if (e.from == v || e.to == v) edges.push_back(&e);
      auto other_of = [&](const ProblemEdge& e) { return e.from == v ? e.to : e.from; };
      auto row = [&](const ProblemEdge& e, int a) {
        std::vector<double> r;
        for (int j : kept[other_of(e)]) r.push_back(entry(e, v, a, j));
        return r;
      };
      auto magnitude = [&](int a) {
        double m = std::abs(p.vertices[v].costs[a]);
        for (const ProblemEdge* e : edges) {
          const auto r = row(*e, a);
          m += std::max(std::abs(*std::min_element(r.begin(), r.end())), std::abs(*std::max_element(r.begin(), r.end())));
        }
        return m;
      };
      std::vector<int> distinct;
      for (int a : kept[v]) {
        bool duplicate = false;
        for (int b : distinct) {
          bool same = p.vertices[v].costs[a] == p.vertices[v].costs[b];
          for (const ProblemEdge* e : edges) same = same && row(*e, a) == row(*e, b);
          duplicate = duplicate || same;
        }
        if (!duplicate) distinct.push_back(a);
      }
      for (int a : distinct) {
        bool dominated = false;
        for (int b : distinct) {
          if (b == a) continue;
          double total = p.vertices[v].costs[b] - p.vertices[v].costs[a];
          for (const ProblemEdge* e : edges) {
            const auto ra = row(*e, a), rb = row(*e, b);
            double worst = rb[0] - ra[0];
            for (std::size_t j = 0; j < ra.size(); ++j) worst = std::max(worst, rb[j] - ra[j]);
            total += worst;
          }
          dominated = dominated || total < -1e-9 * (magnitude(a) + magnitude(b));
        }
        if (!dominated) next[v].push_back(a);
      }
      any = any || next[v].size() < kept[v].size();
    }
    if (!any) return kept;
    kept = std::move(next);
  }
}

// Wide rows (up to 90 configurations a vertex), so that the row scans run whole chunks and the
// witnesses are reused: the same configurations kept as the plain pruning, the same optimum as the
// unpruned DP.
TEST(DominanceTest, wide_random_problems_keep_what_the_plain_pruning_keeps) {
  Rng rng(20261203);
  std::uint64_t removed = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const bool integers = trial % 2 == 0;
    auto cost = [&](double spread) {
      return integers ? static_cast<double>(below(rng, static_cast<int>(spread)))
                      : static_cast<double>(rng() >> 11) * 0x1.0p-53 * spread;
    };
    Problem p;
    const int n = 3 + below(rng, 3);
    for (int v = 0; v < n; ++v) {
      std::vector<double> costs(static_cast<std::size_t>(1 + below(rng, 90)));
      for (auto& c : costs) c = cost(400);
      p.vertices.push_back({"v" + std::to_string(v), costs});
    }
    for (int a = 0; a < n; ++a)
      for (int b = a + 1; b < n; ++b) {
        if (b != a + 1 && below(rng, 100) >= 40) continue;
        std::vector<double> costs(p.config_count(a) * p.config_count(b));
        for (auto& c : costs) c = cost(60);
        p.edges.push_back(make_edge(a, b, costs));
      }
    p.validate();
    SCOPED_TRACE("trial " + std::to_string(trial));
    int passes = 0;
    const auto expected = reference_pruning(p, passes);
    const PrunedProblem one = prune_dominated(p, 1);
    ASSERT_EQ(one.kept, expected);
    EXPECT_EQ(one.passes, passes);
    ASSERT_EQ(prune_dominated(p, 2).kept, expected);
    removed += one.configs_before - one.configs_after;
    const Solution unpruned_dp = solve(p, plan_in_order(p, OrderKind::greedy).plan);
    const Solution pruned_dp = solve(one.problem, plan_in_order(one.problem, OrderKind::greedy).plan);
    EXPECT_EQ(evaluate(p, one.expand(pruned_dp.configs)), unpruned_dp.total_cost);
  }
  EXPECT_GT(removed, 400u);  // not vacuous
}

}  // namespace
}  // namespace pase
