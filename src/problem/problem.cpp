#include "pase/problem.hpp"

#include <cmath>
#include <stdexcept>
#include <unordered_set>

namespace pase {

namespace {

void require_finite(const std::vector<double>& costs, const std::string& where) {
  for (double c : costs)
    if (!std::isfinite(c)) throw std::invalid_argument(where + " has a cost that is not a finite number");
}

}  // namespace

void Problem::validate() const {
  if (vertices.empty()) throw std::invalid_argument("the problem has no vertices");
  for (const auto& v : vertices) {
    if (v.costs.empty()) throw std::invalid_argument("vertex '" + v.name + "' has no configuration");
    require_finite(v.costs, "vertex '" + v.name + "'");
  }
  std::unordered_set<const void*> checked;  // edges of repeated layers share a matrix: check it once
  for (const auto& e : edges) {
    if (e.from < 0 || e.from >= vertex_count() || e.to < 0 || e.to >= vertex_count() || e.from == e.to)
      throw std::invalid_argument("an edge joins invalid vertices " + std::to_string(e.from) + " -> " +
                                  std::to_string(e.to));
    const std::string where = "edge '" + vertices[e.from].name + "' -> '" + vertices[e.to].name + "'";
    if (!e.costs) throw std::invalid_argument(where + " has no cost matrix");
    if (e.costs->size() != config_count(e.from) * config_count(e.to))
      throw std::invalid_argument(where + " has " + std::to_string(e.costs->size()) + " costs, expected " +
                                  std::to_string(config_count(e.from) * config_count(e.to)));
    if (checked.insert(e.costs.get()).second) require_finite(*e.costs, where);
  }
}

double evaluate(const Problem& problem, const std::vector<int>& configs) {
  double total = 0.0;
  for (int v = 0; v < problem.vertex_count(); ++v) total += problem.vertices[v].costs[configs[v]];
  for (const auto& e : problem.edges)
    total += e.cost(configs[e.from], configs[e.to], problem.config_count(e.to));
  return total;
}

ProblemEdge make_edge(int from, int to, std::vector<double> costs) {
  return {from, to, std::make_shared<const std::vector<double>>(std::move(costs))};
}

}  // namespace pase
