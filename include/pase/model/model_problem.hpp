#pragma once
// The DNN cost model as a producer of search problems: a network on `procs` devices of a cluster.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pase/cluster/cluster.hpp"
#include "pase/cost/configs.hpp"
#include "pase/cost/pricing.hpp"
#include "pase/model/network.hpp"
#include "pase/problem.hpp"

namespace pase {

// How to count several tensors that flow between the same two layers: the prototype keeps only the
// last one (`last`); `sum` counts each.
enum class ParallelEdges { last, sum };
ParallelEdges parse_parallel_edges(const std::string& name);

// The paper's model (FLOP, priced by Cluster's r) or the hardware model (seconds on a cluster of
// nodes; src/cluster/README.md).
enum class CostModel { paper, hardware };
CostModel parse_cost_model(const std::string& name);
const char* to_string(CostModel model);

struct ProblemOptions {
  std::int64_t procs = 1;
  Cluster cluster;                           // the paper model's device
  std::optional<HardwarePricing> hardware;   // set: the hardware model prices the problem
  CostModel cost_model() const { return hardware ? CostModel::hardware : CostModel::paper; }
  ParallelEdges parallel_edges = ParallelEdges::last;
  std::uint64_t max_memory_bytes = 0;  // refuse to build edge matrices larger than this; 0: no limit
};

// Thrown when a search would need more memory than allowed.
struct MemoryLimitExceeded : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ModelProblem {
  Problem problem;                          // vertex v is network layer v
  std::vector<std::vector<Config>> configs; // configurations of each vertex
  std::vector<int> data_parallel;           // per vertex: the configuration that splits only the batch
  std::uint64_t edge_bytes = 0;             // the (shared) edge cost matrices, held by every rank
  // Hardware model only: each configuration's time split into compute and communication (the
  // vertex cost is its total_s()).
  std::vector<std::vector<LayerTime>> times;
};

// Throws std::invalid_argument (naming the file and field) when the model cannot be searched.
ModelProblem build_problem(const Network& network, const ProblemOptions& options);

}  // namespace pase
