#pragma once
// The generic search problem: vertices with a cost per configuration, edges with a cost matrix.
// The search knows nothing else; the DNN cost model is one producer of problems.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace pase {

struct ProblemVertex {
  std::string name;
  std::vector<double> costs;  // one per configuration
};

using CostMatrix = std::shared_ptr<const std::vector<double>>;

struct ProblemEdge {
  int from = 0;
  int to = 0;
  // (*costs)[i * configs(to) + j]: `from` in configuration i, `to` in j. Edges between identical
  // layers (a model's repeated blocks) share one matrix.
  CostMatrix costs;

  double cost(std::size_t i, std::size_t j, std::size_t to_configs) const { return (*costs)[i * to_configs + j]; }
};

ProblemEdge make_edge(int from, int to, std::vector<double> costs);

struct Problem {
  std::vector<ProblemVertex> vertices;
  std::vector<ProblemEdge> edges;  // several edges between one pair add up

  int vertex_count() const { return static_cast<int>(vertices.size()); }
  std::size_t config_count(int v) const { return vertices[v].costs.size(); }

  // Throws std::invalid_argument naming the first inconsistency (sizes, indices, non-finite costs).
  void validate() const;
};

// The value of the cost function F for one configuration index per vertex, summed in a fixed order
// (vertices, then edges) so that it does not depend on how the strategy was found.
double evaluate(const Problem& problem, const std::vector<int>& configs);

}  // namespace pase
