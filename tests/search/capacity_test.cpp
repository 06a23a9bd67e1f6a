// The search under a memory capacity against exhaustive search (every configuration and
// recomputation choice) on random small problems, with and without dominance pruning.
#include <gtest/gtest.h>

#include <random>

#include "pase/search/capacity.hpp"
#include "pase/search/dominance.hpp"
#include "pase/search/order.hpp"
#include "pase/search/plan.hpp"

namespace pase {
namespace {

using Rng = std::mt19937_64;

double uniform(Rng& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

// A chain with a few extra edges; costs and memory chosen so that cheap configurations tend to be
// large in memory (as replicated weights are), recomputation sometimes pays.
struct Random {
  Problem problem;
  MemoryConstraint memory;
};

Random random_problem(Rng& rng, int n) {
  Random r;
  for (int v = 0; v < n; ++v) {
    const int k = 1 + static_cast<int>(rng() % 4);
    ProblemVertex vertex{"v" + std::to_string(v), {}};
    VertexMemory m;
    for (int c = 0; c < k; ++c) {
      const double cost = uniform(rng, 0, 10);
      vertex.costs.push_back(cost);
      const double bytes = uniform(rng, 0, 10) + (10 - cost);
      m.resident.push_back(bytes);
      const bool offered = rng() % 2 == 0;
      m.recompute_resident.push_back(offered ? bytes * uniform(rng, 0.2, 0.9) : bytes);
      m.recompute_cost.push_back(offered ? uniform(rng, 0, 4) : 0.0);
      m.buffer.push_back(rng() % 3 == 0 ? uniform(rng, 0, 5) : 0.0);
    }
    r.problem.vertices.push_back(std::move(vertex));
    r.memory.vertices.push_back(std::move(m));
  }
  auto edge = [&](int a, int b) {
    std::vector<double> costs(r.problem.config_count(a) * r.problem.config_count(b));
    for (double& x : costs) x = uniform(rng, 0, 3);
    r.problem.edges.push_back(make_edge(a, b, std::move(costs)));
  };
  for (int v = 1; v < n; ++v) edge(v - 1, v);
  if (n > 3) edge(0, n - 1);
  if (n > 4) edge(1, 3);
  r.memory.fixed_bytes = uniform(rng, 0, 3);
  return r;
}

Solution exact(const Problem& p, bool prune) {
  if (!prune) return solve(p, make_plan(p, elimination_order(p, OrderKind::greedy)));
  const PrunedProblem reduced = prune_dominated(p);
  Solution s = solve(reduced.problem, make_plan(reduced.problem, elimination_order(reduced.problem, OrderKind::greedy)));
  s.configs = reduced.expand(s.configs);
  return s;
}

void expect_sound(const Random& r, bool prune, int seed) {
  const CapacitySolution brute = brute_force_within_capacity(r.problem, r.memory);
  const CapacitySolution found =
      solve_within_capacity(r.problem, r.memory, [&](const Problem& p) { return exact(p, prune); });
  SCOPED_TRACE("seed " + std::to_string(seed) + " capacity " + std::to_string(r.memory.capacity_bytes));
  ASSERT_EQ(found.feasible, brute.feasible);
  EXPECT_NEAR(found.smallest_peak_bytes, brute.smallest_peak_bytes, 1e-9);
  if (!brute.feasible) {
    EXPECT_GT(found.peak_bytes, r.memory.capacity_bytes);
    return;
  }
  // The answer fits, costs what it says, and is no better than the optimum; the bound holds.
  EXPECT_LE(found.peak_bytes, r.memory.capacity_bytes);
  EXPECT_NEAR(peak_bytes(r.memory, found.configs, found.recompute), found.peak_bytes, 1e-12);
  EXPECT_GE(found.cost, brute.cost - 1e-9);
  EXPECT_LE(found.lower_bound, brute.cost + 1e-9);
  EXPECT_GE(found.gap(), found.cost - brute.cost - 1e-9);
  if (found.unconstrained_fits) {
    EXPECT_NEAR(found.cost, brute.cost, 1e-9);
  }
}

TEST(CapacityTest, matches_brute_force_on_random_problems_at_every_tightness) {
  int gaps = 0, exact_answers = 0;
  for (int seed = 0; seed < 100; ++seed) {
    Rng rng(static_cast<std::uint64_t>(seed));
    Random r = random_problem(rng, 2 + seed % 5);
    // From below the smallest footprint (infeasible) to loose.
    MemoryConstraint loose = r.memory;
    loose.capacity_bytes = 1e18;
    const double smallest = brute_force_within_capacity(r.problem, loose).smallest_peak_bytes;
    for (double factor : {0.9, 1.0, 1.1, 1.3, 1.6, 3.0}) {
      r.memory.capacity_bytes = smallest * factor;
      expect_sound(r, seed % 2 == 0, seed);
      const CapacitySolution found =
          solve_within_capacity(r.problem, r.memory, [&](const Problem& p) { return exact(p, false); });
      const CapacitySolution brute = brute_force_within_capacity(r.problem, r.memory);
      if (brute.feasible) {
        (std::abs(found.cost - brute.cost) < 1e-9 ? exact_answers : gaps) += 1;
      }
    }
  }
  // The relaxation finds the optimum most of the time (a proven gap otherwise).
  EXPECT_GT(exact_answers, 3 * gaps) << exact_answers << " exact, " << gaps << " with a gap";
  RecordProperty("exact", exact_answers);
  RecordProperty("gaps", gaps);
}

TEST(CapacityTest, pruning_per_multiplier_gives_the_same_answer) {
  for (int seed = 0; seed < 60; ++seed) {
    Rng rng(static_cast<std::uint64_t>(1000 + seed));
    Random r = random_problem(rng, 6);
    MemoryConstraint loose = r.memory;
    loose.capacity_bytes = 1e18;
    r.memory.capacity_bytes = 1.2 * brute_force_within_capacity(r.problem, loose).smallest_peak_bytes;
    const auto a = solve_within_capacity(r.problem, r.memory, [&](const Problem& p) { return exact(p, false); });
    const auto b = solve_within_capacity(r.problem, r.memory, [&](const Problem& p) { return exact(p, true); });
    EXPECT_NEAR(a.cost, b.cost, 1e-9 * std::max(1.0, a.cost)) << seed;
    EXPECT_NEAR(a.lower_bound, b.lower_bound, 1e-9 * std::max(1.0, a.cost)) << seed;
  }
}

// Two vertices, hand-worked: the cheap configurations do not fit together.
TEST(CapacityTest, hand_worked_two_vertices) {
  Problem p;
  p.vertices = {{"a", {1.0, 3.0}}, {"b", {1.0, 2.0}}};
  p.edges = {make_edge(0, 1, {0.0, 0.0, 0.0, 0.0})};
  MemoryConstraint m;
  m.vertices = {{{10, 4}, {10, 4}, {0, 0}, {0, 0}}, {{10, 5}, {10, 5}, {0, 0}, {0, 0}}};
  m.fixed_bytes = 1;
  m.capacity_bytes = 16;  // 1 + 10 + 5 fits (cost 3), 1 + 4 + 10 fits (cost 4), 1 + 10 + 10 does not
  const ExactSolver solver = [](const Problem& q) { return exact(q, false); };
  const CapacitySolution s = solve_within_capacity(p, m, solver);
  ASSERT_TRUE(s.feasible);
  EXPECT_EQ(s.configs, (std::vector<int>{0, 1}));
  EXPECT_DOUBLE_EQ(s.cost, 3.0);
  EXPECT_DOUBLE_EQ(s.peak_bytes, 16.0);
  EXPECT_FALSE(s.unconstrained_fits);
  EXPECT_DOUBLE_EQ(s.smallest_peak_bytes, 10.0);
  m.capacity_bytes = 9.5;
  const CapacitySolution none = solve_within_capacity(p, m, solver);
  EXPECT_FALSE(none.feasible);
  EXPECT_DOUBLE_EQ(none.peak_bytes, 10.0);
  EXPECT_EQ(none.configs, (std::vector<int>{1, 1}));
  m.capacity_bytes = 21;
  const CapacitySolution all = solve_within_capacity(p, m, solver);
  EXPECT_TRUE(all.unconstrained_fits);
  EXPECT_EQ(all.dp_solves, 1);
  EXPECT_DOUBLE_EQ(all.gap(), 0.0);
}

// Recomputation: the same configuration fits when it recomputes, at its recomputation cost.
TEST(CapacityTest, recomputation_is_chosen_only_where_it_is_needed) {
  Problem p;
  p.vertices = {{"a", {1.0}}, {"b", {1.0}}};
  MemoryConstraint m;
  m.vertices = {{{10}, {4}, {0.5}, {0}}, {{10}, {2}, {0.25}, {0}}};
  m.capacity_bytes = 15;  // one of them must recompute: b is cheaper
  const ExactSolver solver = [](const Problem& q) { return exact(q, false); };
  const CapacitySolution s = solve_within_capacity(p, m, solver);
  ASSERT_TRUE(s.feasible);
  EXPECT_EQ(s.recompute, (std::vector<char>{0, 1}));
  EXPECT_DOUBLE_EQ(s.cost, 2.25);
  EXPECT_DOUBLE_EQ(s.peak_bytes, 12.0);
}

}  // namespace
}  // namespace pase
