#include "pase/model/model_memory.hpp"

#include <algorithm>
#include <stdexcept>

#include "pase/cost/cost_math.hpp"

namespace pase {

namespace {

std::vector<bool> weight_inputs(const Layer& layer) {
  std::vector<bool> weights;
  for (const TensorSource& source : layer.inputs) weights.push_back(source.weight);
  return weights;
}

// Re-running a layer's forward pass: its forward kernels and, conservatively, all of its blocking
// collectives again (hardware model); a third of its computation and all of its communication (paper).
double recompute_cost(const ModelProblem& model, const Operator& op, const ProblemOptions& options, std::size_t v,
                      std::size_t c) {
  if (options.hardware) {
    const LayerTime& t = model.times[v][c];
    return (t.compute_s - t.backward_s) + t.communication_s;
  }
  const double compute = paper_cost(op.work(model.configs[v][c]), CostMath(0.0));
  const double total = model.problem.vertices[v].costs[c];
  return compute / 3.0 + std::max(0.0, total - compute);
}

void add(MemoryBreakdown& b, const LayerMemory& m) {
  b.weights += m.weights;
  b.gradients += m.gradients;
  b.optimizer += m.optimizer;
  b.activations += m.activations;
  b.buffers = std::max(b.buffers, m.buffers);
}

}  // namespace

ModelMemory model_memory(const Network& network, const ModelProblem& model, const ProblemOptions& options,
                         const TrainingRecipe& recipe, double reserve_bytes) {
  ModelMemory out;
  out.recipe = recipe;
  out.reserve_bytes = reserve_bytes;
  for (std::size_t v = 0; v < network.layers.size(); ++v) {
    const Layer& layer = network.layers[v];
    const Operator& op = *layer.model;
    const std::vector<bool> weights = weight_inputs(layer);
    auto& keep = out.keep.emplace_back();
    auto& recompute = out.recompute.emplace_back();
    auto& cost = out.recompute_cost.emplace_back();
    for (std::size_t c = 0; c < model.configs[v].size(); ++c) {
      const Config& config = model.configs[v][c];
      keep.push_back(layer_memory(op, config, weights, recipe, false));
      const LayerMemory again = layer_memory(op, config, weights, recipe, true);
      const bool saves = again.activations < keep.back().activations;
      recompute.push_back(saves ? again : keep.back());
      cost.push_back(saves ? recompute_cost(model, op, options, v, c) : 0.0);
    }
  }
  return out;
}

MemoryBreakdown strategy_memory(const ModelMemory& memory, const std::vector<int>& configs,
                                const std::vector<char>& recompute) {
  MemoryBreakdown b;
  b.reserve = memory.reserve_bytes;
  for (std::size_t v = 0; v < configs.size(); ++v)
    add(b, (v < recompute.size() && recompute[v] ? memory.recompute : memory.keep)[v][configs[v]]);
  return b;
}

MemoryBreakdown fsdp_memory(const ModelMemory& memory, const std::vector<int>& data_parallel, double devices) {
  MemoryBreakdown b = strategy_memory(memory, data_parallel, {});
  b.weights /= devices;
  b.gradients /= devices;
  b.optimizer /= devices;
  double largest = 0;
  for (std::size_t v = 0; v < data_parallel.size(); ++v) {
    const LayerMemory& m = memory.keep[v][data_parallel[v]];
    largest = std::max(largest, m.weights + m.gradients);
  }
  b.buffers = std::max(b.buffers, 2.0 * largest);
  return b;
}

}  // namespace pase
