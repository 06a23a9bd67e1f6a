// Repeated blocks: on random chains of identical blocks (branching inside, edges straight between
// the terminals, matrices shared or equal copies), the reduced search finds the optimum of
// exhaustive search and of the unreduced DP, and expands to a strategy of the original problem.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "pase/search/blocks.hpp"
#include "pase/search/dp.hpp"
#include "pase/search/order_choice.hpp"

namespace pase {
namespace {

using Rng = std::mt19937_64;

int below(Rng& rng, int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }

std::vector<double> random_costs(Rng& rng, std::size_t n) {
  std::vector<double> c(n);
  for (double& x : c) x = static_cast<double>(below(rng, 1000)) / 8.0;  // ties happen
  return c;
}

struct Template {
  int interior = 0;
  std::vector<std::vector<double>> costs;            // per interior vertex
  std::vector<std::tuple<int, int, CostMatrix>> edges;  // local ends: 0 = s, 1 = t, 2.. interior
};

// A block: a path s -> interior -> t, plus random chords (branches, residual edges, s -> t).
Template random_block(Rng& rng, std::size_t terminal_configs, int max_configs) {
  Template b;
  b.interior = 1 + below(rng, 3);
  std::vector<std::size_t> k{terminal_configs, terminal_configs};
  for (int i = 0; i < b.interior; ++i) {
    k.push_back(1 + below(rng, max_configs));
    b.costs.push_back(random_costs(rng, k.back()));
  }
  auto add = [&](int from, int to) {
    b.edges.emplace_back(from, to, std::make_shared<const std::vector<double>>(random_costs(rng, k[from] * k[to])));
  };
  add(0, 2);
  for (int i = 2; i + 1 < 2 + b.interior; ++i) add(i, i + 1);
  add(1 + b.interior, 1);
  add(0, b.interior == 1 ? 1 : 1 + b.interior);  // a residual edge: a cycle, not a chain of bridges
  const int chords = below(rng, 3);
  for (int c = 0; c < chords; ++c) {
    const int from = below(rng, 2 + b.interior), to = below(rng, 2 + b.interior);
    if (from != to) add(std::min(from, to), std::max(from, to));
  }
  return b;
}

// `repeats` copies of one block in a chain, after a head vertex (and a vertex before it) and before a
// tail.
Problem chain_of_blocks(Rng& rng, int repeats, int max_configs, bool copy_matrices) {
  const std::size_t kt = 1 + below(rng, max_configs);
  const Template block = random_block(rng, kt, max_configs);
  Problem p;
  p.vertices.push_back({"pre", random_costs(rng, 2)});
  p.vertices.push_back({"head", random_costs(rng, kt)});
  p.edges.push_back(make_edge(0, 1, random_costs(rng, 2 * kt)));
  for (int r = 0; r < repeats; ++r) {
    const int s = p.vertex_count() - 1;
    const int first = p.vertex_count();
    for (int i = 0; i < block.interior; ++i) p.vertices.push_back({"in", block.costs[i]});
    p.vertices.push_back({"t", random_costs(rng, kt)});
    const int t = p.vertex_count() - 1;
    auto global = [&](int local) { return local == 0 ? s : local == 1 ? t : first + local - 2; };
    for (const auto& [from, to, m] : block.edges)
      p.edges.push_back({global(from), global(to), copy_matrices ? std::make_shared<const std::vector<double>>(*m) : m});
  }
  const int last = p.vertex_count() - 1;
  const std::size_t k_tail = 1 + below(rng, max_configs);
  p.vertices.push_back({"tail", random_costs(rng, k_tail)});
  p.edges.push_back(make_edge(last, p.vertex_count() - 1, random_costs(rng, kt * k_tail)));
  p.validate();
  return p;
}

double tolerance(double x) { return 1e-12 * std::max(1.0, std::abs(x)); }

TEST(BlocksTest, reduced_search_matches_brute_force_and_the_unreduced_dp) {
  Rng rng(20261202);
  int reduced = 0;
  for (int trial = 0; trial < 120; ++trial) {
    const int repeats = 2 + below(rng, 3);
    const Problem p = chain_of_blocks(rng, repeats, 3, trial % 2 == 1);
    const BlockReduction r = reduce_blocks(p);
    const Solution whole = solve(p, plan_in_order(p, OrderKind::greedy).plan);
    Solution best;
    try {
      best = brute_force(p, 2'000'000);
    } catch (const std::invalid_argument&) {
      best = whole;
    }
    if (!r.reduced_any()) continue;
    ++reduced;
    EXPECT_EQ(r.blocks.size(), static_cast<std::size_t>(repeats)) << trial;
    const Solution s = solve(r.problem, plan_in_order(r.problem, OrderKind::greedy).plan);
    const std::vector<int> configs = r.expand(s.configs, p.vertex_count());
    ASSERT_EQ(configs.size(), p.vertices.size());
    for (int v = 0; v < p.vertex_count(); ++v) ASSERT_LT(configs[v], static_cast<int>(p.config_count(v)));
    const double total = evaluate(p, configs);
    // The reduced problem's own evaluation of its strategy is the original's, up to summation order.
    EXPECT_NEAR(s.total_cost, total, tolerance(total)) << trial;
    EXPECT_NEAR(total, best.total_cost, tolerance(best.total_cost)) << trial;
    EXPECT_NEAR(total, whole.total_cost, tolerance(whole.total_cost)) << trial;
  }
  EXPECT_GT(reduced, 90);  // the generator makes pieces the reduction finds
}

TEST(BlocksTest, a_block_that_differs_is_not_merged_with_the_others) {
  Rng rng(7);
  Problem p = chain_of_blocks(rng, 3, 3, false);
  const BlockReduction all = reduce_blocks(p);
  ASSERT_TRUE(all.reduced_any());
  EXPECT_EQ(all.distinct_blocks, 1);
  // Change one interior cost of the second block: two identical blocks remain, one stands alone.
  const int interior = (p.vertex_count() - 3) / 3 - 1;
  p.vertices[2 + (interior + 1)].costs[0] += 1.0;
  const BlockReduction r = reduce_blocks(p);
  ASSERT_TRUE(r.reduced_any());
  EXPECT_EQ(r.blocks.size(), 2u);
  const Solution s = solve(r.problem, plan_in_order(r.problem, OrderKind::greedy).plan);
  EXPECT_NEAR(evaluate(p, r.expand(s.configs, p.vertex_count())), brute_force(p).total_cost, 1e-9);
}

TEST(BlocksTest, nothing_repeated_nothing_reduced) {
  Problem p;
  p.vertices = {{"a", {1, 2}}, {"b", {3, 1}}, {"c", {0, 5}}};
  p.edges = {make_edge(0, 1, {0, 1, 1, 0}), make_edge(1, 2, {0, 2, 2, 0})};
  EXPECT_FALSE(reduce_blocks(p).reduced_any());
}

TEST(BlocksTest, parse_and_print_the_mode) {
  EXPECT_EQ(parse_block_mode("auto"), BlockMode::automatic);
  EXPECT_EQ(parse_block_mode("none"), BlockMode::never);
  EXPECT_STREQ(to_string(BlockMode::automatic), "auto");
  EXPECT_THROW(parse_block_mode("yes"), std::invalid_argument);
}

}  // namespace
}  // namespace pase
