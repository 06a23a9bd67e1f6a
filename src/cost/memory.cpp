#include "pase/cost/memory.hpp"

#include <algorithm>
#include <stdexcept>

#include "pase/cost/operator.hpp"

namespace pase {

namespace {

double part_elements(const Shape& shape, const Config& split) {
  double elements = 1.0;
  for (std::size_t i = 0; i < shape.size(); ++i) elements *= static_cast<double>(shape[i]) / static_cast<double>(split[i]);
  return elements;
}

std::int64_t group_size(const Config& config, const Dims& dims) {
  std::int64_t g = 1;
  for (auto d : dims) g *= config[d];
  return g;
}

}  // namespace

TrainingRecipe training_recipe(const std::string& optimizer, const std::string& precision) {
  TrainingRecipe r;
  r.optimizer = optimizer;
  r.precision = precision;
  // Optimizer state in bytes a parameter, kept in fp32 (Adam: first and second moments; SGD with
  // momentum: one buffer; PyTorch's torch.optim keeps them in the parameter's dtype, fp32 here).
  double state = 0;
  if (optimizer == "adam" || optimizer == "adamw") state = 8;
  else if (optimizer == "sgd-momentum") state = 4;
  else if (optimizer == "sgd") state = 0;
  else
    throw std::invalid_argument("--optimizer: unknown optimizer '" + optimizer +
                                "'; use adam, adamw, sgd-momentum or sgd");
  if (precision == "mixed") {
    // fp16/bf16 weights and gradients, fp32 master weights next to the optimizer's state (ZeRO,
    // Rajbhandari et al. 2020, Sec. 3.1: 2 + 2 + 12 bytes a parameter with Adam).
    r.weight_bytes = 2;
    r.gradient_bytes = 2;
    r.optimizer_bytes = 4 + state;
    r.activation_bytes = 2;
  } else if (precision == "fp32") {
    r.weight_bytes = 4;
    r.gradient_bytes = 4;
    r.optimizer_bytes = state;
    r.activation_bytes = 4;
  } else {
    throw std::invalid_argument("--training-precision: unknown precision '" + precision + "'; use mixed or fp32");
  }
  return r;
}

double largest_collective_elements(const Work& work, const Config& config) {
  double largest = 0;
  for (const GemmWork& g : work.gemms) {
    if (g.paper_only) continue;
    const double rows = g.batches * g.m / g.steps;
    if (g.ck > 1) largest = std::max(largest, rows * g.n);        // the output, summed over the k group
    if (g.cn > 1) largest = std::max(largest, rows * g.k);        // the input's gradient over the n group
    if (g.cm > 1) largest = std::max(largest, g.batches * g.n * g.k);  // the weight's gradient over the m group
  }
  for (const CollectiveWork& c : work.collectives)
    if (group_size(config, c.group) > 1) largest = std::max(largest, c.elements);
  return largest;
}

LayerMemory layer_memory(const Operator& op, const Config& config, const std::vector<bool>& weight_inputs,
                         const TrainingRecipe& recipe, bool recompute) {
  const MemoryWork memory = op.memory(config);
  const std::vector<Shape>& inputs = op.input_shapes();
  std::vector<Config> input_splits;
  for (std::size_t i = 0; i < inputs.size(); ++i) input_splits.push_back(op.input_split(i, config));
  auto is_weight = [&](std::size_t i) { return i < weight_inputs.size() && weight_inputs[i]; };
  double parameters = memory.parameters;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (is_weight(i)) parameters += part_elements(inputs[i], input_splits[i]);
  double kept = recompute ? memory.recompute_elements : memory.saved_elements;
  for (std::size_t i : recompute ? memory.recompute_inputs : memory.saved_inputs)
    if (!is_weight(i)) kept += part_elements(inputs[i], input_splits[i]);
  LayerMemory m;
  m.weights = parameters * recipe.weight_bytes;
  m.gradients = parameters * recipe.gradient_bytes;
  m.optimizer = parameters * recipe.optimizer_bytes;
  m.activations = kept * recipe.activation_bytes;
  m.buffers = largest_collective_elements(op.work(config), config) * recipe.activation_bytes;
  return m;
}

}  // namespace pase
