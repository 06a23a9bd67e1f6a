#pragma once
// The search under a device-memory capacity: the cheapest strategy whose peak per-device memory fits,
// by Lagrangian relaxation of the memory constraint around the exact DP, with a proven lower bound.
//
// A strategy's peak is   fixed + sum over vertices of resident_v(c_v, r_v) + max over vertices of buffer_v(c_v),
// where r_v says whether vertex v recomputes its activations (it then holds less and costs more).
// For lambda >= 0 the DP minimises   cost + lambda * sum of resident   exactly (lambda * resident added to
// each vertex's own cost, the recomputation choice folded into it as the cheaper of the two); every
// strategy within the capacity costs at least  DP(lambda) - lambda * (capacity - fixed - B),  B the least
// largest-buffer any strategy has, so the best of these over lambda is a lower bound, and every DP
// solution that fits is a candidate. Lambda is bisected towards the bound's maximum.

#include <functional>
#include <vector>

#include "pase/problem.hpp"
#include "pase/search/dp.hpp"

namespace pase {

// One vertex's memory per configuration, in bytes a device.
struct VertexMemory {
  std::vector<double> resident;            // kept through the step (additive over vertices)
  std::vector<double> recompute_resident;  // the same when the vertex recomputes its activations
  std::vector<double> recompute_cost;      // what recomputing adds to the vertex's cost (>= 0)
  std::vector<double> buffer;              // transient (only the largest over the strategy counts)
};

struct MemoryConstraint {
  std::vector<VertexMemory> vertices;  // one per problem vertex
  double fixed_bytes = 0;              // held whatever the strategy (framework and allocator reserve)
  double capacity_bytes = 0;
};

// Peak bytes of one strategy (configuration and recomputation flag per vertex).
double peak_bytes(const MemoryConstraint& memory, const std::vector<int>& configs, const std::vector<char>& recompute);

struct CapacitySolution {
  bool feasible = false;           // some strategy fits
  std::vector<int> configs;        // the best strategy found that fits (else the smallest)
  std::vector<char> recompute;
  double cost = 0;                 // evaluate() plus the recomputation costs
  double peak_bytes = 0;
  double lower_bound = 0;          // no strategy that fits costs less (feasible only)
  double smallest_peak_bytes = 0;  // the least peak of any strategy (exact)
  bool unconstrained_fits = false; // the unconstrained optimum fits: cost is the optimum, the gap 0
  int dp_solves = 0;
  double gap() const { return feasible ? cost - lower_bound : 0.0; }
  double relative_gap() const { return feasible && cost > 0 ? gap() / cost : 0.0; }
};

// Solves one unconstrained problem exactly (the DP, with or without pruning).
using ExactSolver = std::function<Solution(const Problem&)>;

struct CapacityOptions {
  int max_solves = 12;               // DP solves at most
  double relative_gap_goal = 1e-3;   // stop bisecting once the proven gap is below this
  double multiplier_ratio_goal = 1e-2;  // or once the multiplier is known to this ratio
};

CapacitySolution solve_within_capacity(const Problem& problem, const MemoryConstraint& memory, const ExactSolver& solve,
                                       const CapacityOptions& options = {});

// Exhaustive search over every configuration and recomputation choice, for tests.
CapacitySolution brute_force_within_capacity(const Problem& problem, const MemoryConstraint& memory);

}  // namespace pase
