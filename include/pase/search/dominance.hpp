#pragma once
// Dominance pruning (dead-end elimination): drops configurations that no optimal strategy needs.
//
// Configuration a of vertex v is dominated by b when, whatever its neighbours choose, switching v
// from a to b never raises the total:
//   c_v(b) - c_v(a) + sum over v's edges e of max_j (E_e(b, j) - E_e(a, j)) < 0.
// Switching every dominated choice of a strategy to its dominator therefore gives a strategy at
// least as cheap, so the reduced problem has the same optimum. Exact ties (b's cost and every edge
// row equal to a's, bit for bit) drop the higher index, so the lowest-index choice survives as the
// DP's own tie rule would pick it. Strict dominance is accepted only with a margin well above the
// rounding error of the sums, so a pruned configuration is one the unreduced DP never picks either.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/problem.hpp"

namespace pase {

// When to prune: `automatic` prunes a problem whose unpruned plan has at least
// kPruneFromCells DP cells (below that, pruning and replanning cost more than the DP they save).
enum class PruneMode { automatic, always, never };
constexpr std::uint64_t kPruneFromCells = std::uint64_t{1} << 26;

bool should_prune(PruneMode mode, std::uint64_t unpruned_dp_cells);
// "auto", "dominance", "none"; parse_prune_mode throws std::invalid_argument naming the choices.
const char* to_string(PruneMode mode);
PruneMode parse_prune_mode(const std::string& text);

struct PrunedProblem {
  Problem problem;                     // the kept configurations only, in their original order
  std::vector<std::vector<int>> kept;  // per vertex, the original index of each kept configuration
  std::uint64_t configs_before = 0;
  std::uint64_t configs_after = 0;
  int passes = 0;                      // rounds until nothing more was dominated
  std::uint64_t matrix_bytes = 0;      // the reduced edge matrices made (the originals stay alive)

  bool pruned_any() const { return configs_after < configs_before; }
  // A strategy of the reduced problem in the original problem's configuration indices.
  std::vector<int> expand(const std::vector<int>& reduced_configs) const;
};

// Prunes until a round removes nothing, with `threads` OpenMP threads (the result does not depend on
// them). Every vertex keeps at least one configuration.
PrunedProblem prune_dominated(const Problem& problem, int threads = 1);
// The problem as it is, in the same shape (for searches without pruning).
PrunedProblem unpruned(const Problem& problem);

}  // namespace pase
