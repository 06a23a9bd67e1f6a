// The DP against exhaustive search on random small problems (up to 8 vertices, 1 to 6
// configurations each), in the greedy, breadth-first, weighted, min-fill, auto and a random
// elimination order.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>

#include "pase/search/dp.hpp"
#include "pase/search/order.hpp"
#include "pase/search/order_choice.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using Rng = std::mt19937_64;
using EdgeList = std::vector<std::pair<int, int>>;

int below(Rng& rng, int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
bool chance(Rng& rng, int percent) { return below(rng, 100) < percent; }

// One edge a -> b or b -> a, at random.
void join(Rng& rng, EdgeList& edges, int a, int b) {
  if (chance(rng, 50)) edges.push_back({a, b});
  else edges.push_back({b, a});
}

// The graph families.
EdgeList chain(Rng& rng, int n) {
  EdgeList e;
  for (int v = 1; v < n; ++v) join(rng, e, v - 1, v);
  return e;
}

// Diamonds in series: 0 -> {1, 2} -> 3 -> {4, 5} -> 6 -> 7, cut to n vertices.
EdgeList diamonds(Rng&, int n) {
  const EdgeList all = {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}, {3, 5}, {4, 6}, {5, 6}, {6, 7}};
  EdgeList e;
  for (auto [a, b] : all)
    if (a < n && b < n) e.push_back({a, b});
  return e;
}

// A chain with residual connections that skip one or two vertices.
EdgeList skips(Rng& rng, int n) {
  EdgeList e = chain(rng, n);
  for (int v = 2; v < n; ++v)
    if (chance(rng, 60)) e.push_back({v - 2 - (v >= 3 && chance(rng, 40) ? 1 : 0), v});
  return e;
}

// A random DAG: several sources and sinks.
EdgeList random_dag(Rng& rng, int n) {
  EdgeList e;
  for (int a = 0; a < n; ++a)
    for (int b = a + 1; b < n; ++b)
      if (chance(rng, 35)) e.push_back({a, b});
  return e;
}

// Two or three parts with no edge between them (and possibly an isolated vertex).
EdgeList disconnected(Rng& rng, int n) {
  EdgeList e;
  const int parts = 2 + below(rng, 2);
  std::vector<int> part(n);
  for (int v = 0; v < n; ++v) part[v] = below(rng, parts);
  for (int a = 0; a < n; ++a)
    for (int b = a + 1; b < n; ++b)
      if (part[a] == part[b] && chance(rng, 60)) join(rng, e, a, b);
  return e;
}

// Dense, with parallel edges (the same pair twice) and antiparallel ones (a -> b and b -> a).
EdgeList dense_with_parallel_edges(Rng& rng, int n) {
  EdgeList e;
  for (int a = 0; a < n; ++a)
    for (int b = a + 1; b < n; ++b) {
      if (!chance(rng, 55)) continue;
      join(rng, e, a, b);
      if (chance(rng, 25)) e.push_back(e.back());
      if (chance(rng, 25)) e.push_back({e.back().second, e.back().first});
    }
  return e;
}

// Costs: small integers (many ties), reals, or large integers (FLOP-like magnitudes).
double random_cost(Rng& rng, int mode) {
  switch (mode) {
    case 0: return static_cast<double>(below(rng, 4));
    case 1: return static_cast<double>(rng() >> 11) * 0x1.0p-53 * 100.0;
    default: return static_cast<double>(below(rng, 10)) * 1e10 + static_cast<double>(below(rng, 3)) * 0.25;
  }
}

Problem make_problem(Rng& rng, int n, const EdgeList& edges, int mode, int max_configs) {
  Problem p;
  for (int v = 0; v < n; ++v) {
    std::vector<double> costs(static_cast<std::size_t>(1 + below(rng, max_configs)));
    for (auto& c : costs) c = random_cost(rng, mode);
    p.vertices.push_back({"v" + std::to_string(v), costs});
  }
  for (auto [a, b] : edges) {
    std::vector<double> costs(p.config_count(a) * p.config_count(b));
    for (auto& c : costs) c = random_cost(rng, mode);
    p.edges.push_back(make_edge(a, b, costs));
  }
  p.validate();
  return p;
}

std::vector<int> random_permutation(Rng& rng, int n) {
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  for (int i = n - 1; i > 0; --i) std::swap(order[i], order[below(rng, i + 1)]);
  return order;
}

std::string describe(const Problem& p) {
  std::string s = std::to_string(p.vertex_count()) + " vertices, configurations";
  for (int v = 0; v < p.vertex_count(); ++v) s += " " + std::to_string(p.config_count(v));
  s += "; edges";
  for (const auto& e : p.edges) s += " " + std::to_string(e.from) + "->" + std::to_string(e.to);
  return s;
}

void check_against_brute_force(const Problem& p, Rng& rng) {
  const Solution best = brute_force(p);
  ASSERT_EQ(best.configs.size(), static_cast<std::size_t>(p.vertex_count()));
  const std::vector<std::pair<std::string, std::vector<int>>> orders = {
      {"greedy", elimination_order(p, OrderKind::greedy)},
      {"bfs", elimination_order(p, OrderKind::breadth_first)},
      {"random", random_permutation(rng, p.vertex_count())},
      {"weighted", elimination_order(p, OrderKind::weighted)},
      {"minfill", elimination_order(p, OrderKind::min_fill)},
      {"auto", plan_in_order(p, OrderKind::automatic).plan.order},
  };
  for (const auto& [name, order] : orders) {
    SCOPED_TRACE("order " + name);
    const Plan plan = make_plan(p, order);
    const Solution s = solve(p, plan);
    ASSERT_EQ(s.configs.size(), static_cast<std::size_t>(p.vertex_count()));
    for (int v = 0; v < p.vertex_count(); ++v) {
      ASSERT_GE(s.configs[v], 0);
      ASSERT_LT(static_cast<std::size_t>(s.configs[v]), p.config_count(v));
    }
    // The configuration it returns costs what it says, and that is the exhaustive minimum.
    EXPECT_EQ(evaluate(p, s.configs), s.total_cost);
    EXPECT_TRUE(test::near_relative(s.total_cost, best.total_cost, 1e-9));
    EXPECT_TRUE(test::near_relative(s.dp_minimum, best.total_cost, 1e-9));
    EXPECT_EQ(s.dp_cells, plan.totals.dp_cells);
  }
}

// Auto plans each candidate exactly as make_plan does and keeps the first with the fewest DP cells.
void check_auto_choice(const Problem& p) {
  const PlannedOrder chosen = plan_in_order(p, OrderKind::automatic);
  ASSERT_EQ(chosen.candidates.size(), auto_candidates().size());
  std::uint64_t fewest = UINT64_MAX;
  OrderKind first_fewest = OrderKind::automatic;
  for (std::size_t i = 0; i < auto_candidates().size(); ++i) {
    const OrderKind kind = auto_candidates()[i];
    EXPECT_EQ(chosen.candidates[i].kind, kind);
    const std::uint64_t cells = make_plan(p, elimination_order(p, kind)).totals.dp_cells;
    EXPECT_EQ(chosen.candidates[i].dp_cells, cells);
    if (cells < fewest) fewest = cells, first_fewest = kind;
  }
  EXPECT_EQ(chosen.chosen, first_fewest);
  EXPECT_EQ(chosen.plan.totals.dp_cells, fewest);
  EXPECT_EQ(chosen.plan.order, elimination_order(p, first_fewest));
}

using Family = EdgeList (*)(Rng&, int);

// `count` problems of one family, min_vertices to max_vertices vertices with 1 to max_configs
// configurations each, with the three cost modes in turn.
void run_family(Family family, std::uint64_t seed, int count, int min_vertices, int max_vertices = 8,
                int max_configs = 6) {
  Rng rng(seed);
  for (int i = 0; i < count; ++i) {
    const int n = min_vertices + below(rng, max_vertices - min_vertices + 1);
    const Problem p = make_problem(rng, n, family(rng, n), i % 3, max_configs);
    SCOPED_TRACE("problem " + std::to_string(i) + ": " + describe(p));
    check_against_brute_force(p, rng);
    check_auto_choice(p);
    if (::testing::Test::HasFatalFailure() || ::testing::Test::HasNonfatalFailure()) return;
  }
}

constexpr int problems_per_family = 40;  // 6 families: 240 problems

TEST(DpRandomTest, chains_match_brute_force) { run_family(chain, 101, problems_per_family, 1); }

TEST(DpRandomTest, diamonds_match_brute_force) { run_family(diamonds, 202, problems_per_family, 4); }

TEST(DpRandomTest, skip_connections_match_brute_force) { run_family(skips, 303, problems_per_family, 3); }

TEST(DpRandomTest, several_sources_and_sinks_match_brute_force) {
  run_family(random_dag, 404, problems_per_family, 3);
}

TEST(DpRandomTest, disconnected_parts_match_brute_force) { run_family(disconnected, 505, problems_per_family, 3); }

TEST(DpRandomTest, dense_graphs_with_parallel_edges_match_brute_force) {
  run_family(dense_with_parallel_edges, 606, problems_per_family, 2);
}

TEST(DpRandomTest, many_configurations_on_few_vertices_match_brute_force) {
  // Up to 13 configurations: several rounds of the vectorised minimum, and its scalar tail.
  run_family(dense_with_parallel_edges, 707, 30, 2, 5, 13);
  run_family(chain, 808, 10, 2, 5, 13);
}

TEST(DpRandomTest, families_cover_what_they_claim) {
  // Guards the generators themselves: several sources and sinks, disconnected parts, parallel and
  // antiparallel edges all occur.
  Rng rng(1);
  bool several_sources = false, several_parts = false, parallel = false, antiparallel = false;
  for (int i = 0; i < 40; ++i) {
    const int n = 3 + below(rng, 6);
    const auto dag = random_dag(rng, n);
    std::set<int> has_in, has_out;
    for (auto [a, b] : dag) has_out.insert(a), has_in.insert(b);
    int sources = 0, sinks = 0;
    for (int v = 0; v < n; ++v) {
      sources += has_in.count(v) == 0 && has_out.count(v) > 0;
      sinks += has_out.count(v) == 0 && has_in.count(v) > 0;
    }
    several_sources = several_sources || (sources >= 2 && sinks >= 2);

    const auto parts_edges = disconnected(rng, n);
    Problem p;
    for (int v = 0; v < n; ++v) p.vertices.push_back({"v", {0.0}});
    for (auto [a, b] : parts_edges) p.edges.push_back(make_edge(a, b, {0.0}));
    std::vector<int> component(n, -1);
    const auto nb = neighbour_lists(p);
    int components = 0;
    for (int s = 0; s < n; ++s) {
      if (component[s] >= 0) continue;
      std::vector<int> stack{s};
      component[s] = components;
      while (!stack.empty()) {
        const int v = stack.back();
        stack.pop_back();
        for (int w : nb[v])
          if (component[w] < 0) component[w] = components, stack.push_back(w);
      }
      ++components;
    }
    several_parts = several_parts || components >= 2;

    const auto dense = dense_with_parallel_edges(rng, n);
    std::set<std::pair<int, int>> seen;
    for (auto e : dense) {
      parallel = parallel || seen.count(e) > 0;
      antiparallel = antiparallel || seen.count({e.second, e.first}) > 0;
      seen.insert(e);
    }
  }
  EXPECT_TRUE(several_sources);
  EXPECT_TRUE(several_parts);
  EXPECT_TRUE(parallel);
  EXPECT_TRUE(antiparallel);
}

}  // namespace
}  // namespace pase
