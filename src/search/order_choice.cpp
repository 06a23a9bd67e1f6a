#include "pase/search/order_choice.hpp"

#include <utility>

#include "pase/saturating.hpp"

namespace pase {

const std::vector<OrderKind>& auto_candidates() {
  static const std::vector<OrderKind> kinds = {OrderKind::greedy, OrderKind::weighted, OrderKind::min_fill};
  return kinds;
}

PlannedOrder plan_in_order(const Problem& problem, OrderKind kind) {
  PlannedOrder result;
  result.requested = kind;
  if (kind != OrderKind::automatic) {
    result.chosen = kind;
    result.plan = make_plan(problem, elimination_order(problem, kind));
    return result;
  }
  bool have_best = false;
  for (OrderKind candidate : auto_candidates()) {
    Plan plan = make_plan(problem, elimination_order(problem, candidate));
    result.candidates.push_back({candidate, plan.totals.dp_cells});
    if (!have_best || plan.totals.dp_cells < result.plan.totals.dp_cells) {
      have_best = true;
      result.chosen = candidate;
      result.plan = std::move(plan);
    }
  }
  return result;
}

std::string describe(const PlannedOrder& order) {
  std::string text = to_string(order.chosen);
  if (order.requested != OrderKind::automatic) return text;
  text += " (auto; DP cells:";
  for (std::size_t i = 0; i < order.candidates.size(); ++i)
    text += (i ? ", " : " ") + to_string(order.candidates[i].kind) + " " + format_count(order.candidates[i].dp_cells);
  return text + ")";
}

}  // namespace pase
