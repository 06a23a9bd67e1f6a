#pragma once
// Repeated blocks: a two-terminal piece of the graph (a biconnected component joined to the rest
// only through its two cut vertices s and t) is replaced by one edge s -> t whose matrix is the
// cheapest interior for every pair of terminal configurations. Identical pieces (equal interior
// costs, equal matrices, the same structure; a model's repeated layers) are eliminated once and
// share the matrix and the back-substitution tables. The reduced problem is an ordinary Problem,
// so the plan, the distributed DP and checkpoints run on it unchanged.
//
// Exact: min over all strategies = min over the terminals' configurations of (the rest + the
// cheapest interior), which is what the edge's matrix holds. The interior's sums are done in another
// order than the unreduced DP's, so the DP's minimum may differ in its last bits; the reported total
// is evaluate() of the expanded strategy on the original problem. Among equal-cost strategies the
// reduced DP may pick another one (ties inside a block go to the lowest interior configuration given
// the terminals, as in the DP; ties between terminals' configurations as the DP breaks them).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pase/problem.hpp"
#include "pase/search/order_choice.hpp"

namespace pase {

enum class BlockMode { automatic, never };
// "auto" (reduce when the reduction plus the reduced plan has fewer DP cells), "none".
const char* to_string(BlockMode mode);
BlockMode parse_block_mode(const std::string& text);

struct SolvedBlock;  // one eliminated interior, shared by identical pieces

struct ReducedBlock {
  int s = 0, t = 0;           // terminals, original vertex indices (s < t)
  std::vector<int> interior;  // original vertex indices, in the order the solved block lists them
  std::shared_ptr<const SolvedBlock> solved;
};

struct BlockReduction {
  Problem problem;                  // the reduced problem; empty when nothing was reduced
  std::vector<int> original_vertex; // per reduced vertex, its index in the original problem
  std::vector<ReducedBlock> blocks;
  int distinct_blocks = 0;          // pieces actually eliminated (one per group of identical ones)
  std::uint64_t reduction_cells = 0;  // DP cells spent eliminating the distinct interiors
  double reduction_seconds = 0;
  std::uint64_t matrix_bytes = 0;   // the distinct block matrices made
  std::uint64_t dp_cells_before = 0;  // the plan without the reduction

  bool reduced_any() const { return !blocks.empty(); }
  // A strategy of the reduced problem as one of the original problem.
  std::vector<int> expand(const std::vector<int>& reduced_configs, int original_vertices) const;
};

// Reduces every group of at least two identical two-terminal pieces (empty when there is none).
BlockReduction reduce_blocks(const Problem& problem, int threads = 1);

// The search's hook: with `automatic`, reduces `problem` and keeps the reduction when eliminating
// the blocks plus the reduced problem's plan takes fewer DP cells than `planned` (the plan of
// `problem`), replacing `planned` by the reduced problem's plan in `order`. Else returns an empty
// reduction and leaves `planned` alone.
BlockReduction reduce_repeated_blocks(BlockMode mode, const Problem& problem, PlannedOrder& planned, OrderKind order,
                                      int threads);

}  // namespace pase
