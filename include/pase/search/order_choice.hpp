#pragma once
// Resolves --order auto: plans every candidate order and keeps the one with the fewest DP cells.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/problem.hpp"
#include "pase/search/order.hpp"
#include "pase/search/plan.hpp"

namespace pase {

struct OrderCandidate {
  OrderKind kind = OrderKind::greedy;
  std::uint64_t dp_cells = 0;
};

struct PlannedOrder {
  OrderKind requested = OrderKind::greedy;
  OrderKind chosen = OrderKind::greedy;   // never `automatic`
  std::vector<OrderCandidate> candidates; // planned candidates (auto only), in auto_candidates() order
  Plan plan;
};

// greedy, weighted, minfill: the order in which auto tries them; the first wins ties.
const std::vector<OrderKind>& auto_candidates();

// Plans `kind`; for `automatic` plans each candidate and keeps the fewest DP cells.
PlannedOrder plan_in_order(const Problem& problem, OrderKind kind);

// "greedy", or for auto "weighted (auto; DP cells: greedy 12, weighted 10, minfill 11)".
std::string describe(const PlannedOrder& order);

}  // namespace pase
