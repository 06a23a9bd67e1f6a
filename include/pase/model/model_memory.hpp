#pragma once
// Device memory of a network's strategies: every layer's bytes per device in every configuration,
// kept or recomputed, and the data-parallel and fully sharded (ZeRO-3 / FSDP) baselines
// (src/cost/README.md, "Device memory").

#include <vector>

#include "pase/cost/memory.hpp"
#include "pase/model/model_problem.hpp"

namespace pase {

// A strategy's peak bytes per device, by kind.
struct MemoryBreakdown {
  double weights = 0, gradients = 0, optimizer = 0, activations = 0, buffers = 0, reserve = 0;
  double total() const { return weights + gradients + optimizer + activations + buffers + reserve; }
};

struct ModelMemory {
  TrainingRecipe recipe;
  double reserve_bytes = 0;
  // Per vertex and configuration: the layer's memory keeping its activations and recomputing them
  // (equal where recomputation holds no less), and what recomputing adds to its cost (the problem's
  // unit: FLOP or seconds).
  std::vector<std::vector<LayerMemory>> keep, recompute;
  std::vector<std::vector<double>> recompute_cost;
};

// Throws std::invalid_argument naming the layer when an operator cannot describe its memory.
ModelMemory model_memory(const Network& network, const ModelProblem& model, const ProblemOptions& options,
                         const TrainingRecipe& recipe, double reserve_bytes);

// The peak of one strategy: the sum of its layers' resident bytes, the largest buffer, the reserve.
MemoryBreakdown strategy_memory(const ModelMemory& memory, const std::vector<int>& configs,
                                const std::vector<char>& recompute);

// Fully sharded data parallelism over the data-parallel strategy's `devices`: parameters, gradients
// and optimizer states divided among them, the activations of data parallelism, and as buffers the
// largest layer's whole weights and gradients twice (the layer being computed and the prefetched one).
MemoryBreakdown fsdp_memory(const ModelMemory& memory, const std::vector<int>& data_parallel, double devices);

}  // namespace pase
