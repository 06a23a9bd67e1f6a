#pragma once
// The DNN cost model as a producer of search problems: a network on `procs` devices of a cluster.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "pase/cluster/cluster.hpp"
#include "pase/cost/configs.hpp"
#include "pase/model/network.hpp"
#include "pase/problem.hpp"

namespace pase {

// How to count several tensors that flow between the same two layers: the prototype keeps only the
// last one (`last`); `sum` counts each.
enum class ParallelEdges { last, sum };
ParallelEdges parse_parallel_edges(const std::string& name);

struct ProblemOptions {
  std::int64_t procs = 1;
  Cluster cluster;
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
};

// Throws std::invalid_argument (naming the file and field) when the model cannot be searched.
ModelProblem build_problem(const Network& network, const ProblemOptions& options);

}  // namespace pase
