#pragma once
// The exact DP (recurrence 4 of the PaSE paper) over a plan, with back-substitution.

#include <cstdint>
#include <vector>

#include "pase/problem.hpp"
#include "pase/search/collectives.hpp"
#include "pase/search/dp_state.hpp"
#include "pase/search/plan.hpp"

namespace pase {

struct Solution {
  double dp_minimum = 0.0;     // the minimum as the DP summed it
  double total_cost = 0.0;     // evaluate(problem, configs): independent of the order of summation
  std::vector<int> configs;    // chosen configuration index per vertex
  std::uint64_t dp_cells = 0;
  // The step with the most DP cells, timed alone (for the benchmark's nanoseconds per cell).
  std::uint64_t largest_step_cells = 0;
  double largest_step_seconds = 0.0;
};

struct DpOptions {
  int threads = 1;                                // OpenMP threads per rank
  std::uint64_t replicate_below_bytes = 1 << 18;  // smaller tables are computed whole by every rank
};

// Ties are broken towards the lowest configuration index of the eliminated vertex, so the result
// (to the last bit) depends on neither the number of ranks nor of threads. Every rank of
// `collectives` must call this together; every rank returns the whole solution. `stats`, when
// given, receives every rank's statistics. `listener` hears of every finished step and may stop
// the search (SearchInterrupted). `start` resumes from a state: this rank's parts of the live
// tables and back-substitution tables, laid out as distribute() gives for this rank count.
Solution solve(const Problem& problem, const Plan& plan, const DpOptions& options, Collectives& collectives,
               std::vector<RankStats>* stats = nullptr, DpListener* listener = nullptr, DpState start = {});
// A table's strides over its scope: the first vertex's configuration is the fastest index.
std::vector<std::uint64_t> scope_strides(const Problem& problem, const std::vector<int>& scope);

// One process, one thread.
Solution solve(const Problem& problem, const Plan& plan);

// Exhaustive search over every combination, for tests on small problems. Throws when the number of
// combinations exceeds `limit`.
Solution brute_force(const Problem& problem, std::uint64_t limit = 50'000'000);

}  // namespace pase
