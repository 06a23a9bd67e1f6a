#pragma once
// The plan of a DP over an elimination order, known before any DP work: every step's dependent
// set, the table it produces and who consumes it, the loop order of its kernel, and the memory.

#include <cstdint>
#include <vector>

#include "pase/problem.hpp"
#include "pase/saturating.hpp"

namespace pase {

struct PlanStep {
  int vertex = 0;
  // Dimensions of the table this step produces (its dependent set), fastest-varying first.
  // scope[0] is the consumer: the vertex of the scope that is eliminated first. The last is the
  // split vertex.
  std::vector<int> scope;
  // The vertex whose configurations divide this step's work and table among ranks (the outermost
  // loop and slowest table dimension), so that a rank's part is one contiguous block. Chosen from
  // the roots down: the consumer's split vertex when the scope has it (the consumer then reads only
  // its own block), else the vertex that most of the children's table entries depend on. -1 when
  // the scope is empty. It does not depend on the number of ranks, so neither do the results.
  int split_vertex = -1;
  int consumer_step = -1;              // step that consumes this table; -1 for a root
  std::vector<int> child_steps;        // steps whose tables this step consumes
  std::vector<int> edge_neighbours;    // scope vertices joined to `vertex` by an edge of the problem
  std::vector<int> loop;               // the dependent set in kernel loop order, outermost first (the split vertex)
  std::uint64_t entries = 1;           // table entries: product of the scope's configuration counts
  std::uint64_t cells = 0;             // DP cells: entries times the vertex's configuration count
  unsigned argmin_bytes_per_entry = 1; // 1, 2 or 4: enough for the vertex's configuration count
};

struct PlanTotals {
  std::uint64_t dp_cells = 0;              // saturates at UINT64_MAX
  std::uint64_t largest_table_entries = 0;
  int largest_dependent_set = 0;
  std::uint64_t peak_cost_table_bytes = 0; // cost tables alive at once, at the worst step
  std::uint64_t argmin_bytes = 0;          // back-substitution tables, kept to the end
  std::uint64_t peak_bytes = 0;            // both, at the worst step
};

struct Plan {
  std::vector<int> order;
  std::vector<PlanStep> steps;             // one per vertex, in elimination order
  std::vector<int> step_of_vertex;
  PlanTotals totals;
};

Plan make_plan(const Problem& problem, const std::vector<int>& order);

}  // namespace pase
