#pragma once
// What the pipeline's stages produce, one stage after the other: the network, its problem, the
// pruned problem, the plan and the solution.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/model/model_problem.hpp"
#include "pase/model/network.hpp"
#include "pase/search/distribution.hpp"
#include "pase/search/dominance.hpp"
#include "pase/search/dp.hpp"
#include "pase/search/order.hpp"
#include "pase/search/plan.hpp"

namespace pase {

struct SearchRun {
  Network network;
  ModelProblem model;
  // What the DP searches: model.problem without its dominated configurations (or all of it); the
  // plan, the distribution and the checkpoints are of this problem.
  PrunedProblem pruned;
  Plan plan;
  std::uint64_t unpruned_dp_cells = 0;  // the same order's plan of model.problem
  OrderKind order = OrderKind::greedy;  // the order planned: settings.order, or what auto chose
  std::string order_text;               // describe(): the chosen order and, for auto, every candidate's DP cells
  Solution solution;
  double build_seconds = 0;   // reading the model and building the cost tables
  double search_seconds = 0;  // pruning, ordering, planning, DP and back-substitution

  const Problem& searched() const { return pruned.problem; }
  std::vector<RankStats> rank_stats;
};

}  // namespace pase
