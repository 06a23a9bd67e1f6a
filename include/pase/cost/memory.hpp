#pragma once
// What one configuration of a layer holds in a device's memory during a training step, and its price
// in bytes under a training recipe (precision and optimizer). The model and its sources are in
// src/cost/README.md ("Device memory").

#include <cstddef>
#include <string>
#include <vector>

#include "pase/cost/configs.hpp"
#include "pase/cost/work.hpp"

namespace pase {

class Operator;

// Per device, in elements, as an operator describes it (Operator::memory).
struct MemoryWork {
  // The operator's own parameters held by this device (a convolution's filter, an embedding's table;
  // weights passed in as inline tensors are counted by the layer, which knows which inputs they are).
  double parameters = 0;
  // Inputs the backward pass reads, kept from the forward pass (indices into the operator's inputs).
  std::vector<std::size_t> saved_inputs;
  // Other tensors kept for the backward pass: a softmax's output, the input of a fused activation.
  double saved_elements = 0;
  // What re-running the forward pass needs (the recomputation variant keeps only this): by default
  // every input.
  std::vector<std::size_t> recompute_inputs;
  double recompute_elements = 0;
};

// Bytes a parameter, its gradient and its optimizer state take, and bytes an activation takes.
struct TrainingRecipe {
  std::string optimizer = "adam";
  std::string precision = "mixed";
  double weight_bytes = 2;      // the working copy of a parameter
  double gradient_bytes = 2;
  double optimizer_bytes = 12;  // fp32 master copy, first and second moments
  double activation_bytes = 2;
};

// `optimizer`: adam, adamw, sgd, sgd-momentum; `precision`: mixed (fp16/bf16 weights, gradients and
// activations, fp32 master weights as the optimizer's state; ZeRO, Rajbhandari et al. 2020) or fp32.
// Throws std::invalid_argument naming the option and the choices.
TrainingRecipe training_recipe(const std::string& optimizer, const std::string& precision);

// One layer's bytes per device in one configuration.
struct LayerMemory {
  double weights = 0;
  double gradients = 0;
  double optimizer = 0;
  double activations = 0;  // kept from the forward pass for the backward pass
  double buffers = 0;      // the largest transient buffer of one of its collectives (not additive)
  double resident() const { return weights + gradients + optimizer + activations; }  // additive over layers
};

// `weight_inputs[i]`: the operator's input i is a weight (an inline tensor of the model file).
// `recompute`: the layer keeps only the inputs that re-running its forward pass needs instead of what
// its backward pass reads, and re-runs the forward pass before its backward pass.
LayerMemory layer_memory(const Operator& op, const Config& config, const std::vector<bool>& weight_inputs,
                         const TrainingRecipe& recipe, bool recompute);

// The largest single collective of `work` in elements per device: a GEMM's output, input-gradient
// and weight-gradient all-reduces where their groups are split, and every collective item.
double largest_collective_elements(const Work& work, const Config& config);

}  // namespace pase
