#pragma once
// One layer's cost model: its iteration space, its configurations, the cost of each, and how each
// configuration splits the layer's input and output tensors.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pase/cost/attributes.hpp"
#include "pase/cost/configs.hpp"
#include "pase/cost/cost_math.hpp"
#include "pase/cost/memory.hpp"
#include "pase/cost/pricing.hpp"
#include "pase/cost/work.hpp"

namespace pase {

class Operator {
 public:
  virtual ~Operator() = default;

  const std::string& letters() const { return letters_; }
  const Shape& domain() const { return domain_; }
  const std::vector<Shape>& input_shapes() const { return inputs_; }
  const std::vector<Shape>& output_shapes() const { return outputs_; }
  // The dimension the data-parallel baseline splits: the one named 'b', else the first.
  std::size_t batch_dimension() const;
  void rename_letters(const std::string& letters);

  virtual std::vector<Config> configs(std::int64_t procs, std::int64_t cutoff) const;
  // The paper model's cost of each configuration, in FLOP.
  virtual std::vector<double> costs(const std::vector<Config>& configs, const CostMath& math) const;
  // The hardware model's time of each configuration. Throws std::invalid_argument for an operator
  // without a physical description (Measured).
  virtual std::vector<LayerTime> times(const std::vector<Config>& configs, const HardwarePricing& pricing) const;
  // What configuration `c` does, per device (both models price this).
  virtual Work work(const Config& c) const = 0;
  // What configuration `c` keeps in a device's memory (pase/cost/memory.hpp). By default: every
  // input is kept for the backward pass, and the operator has no parameters of its own.
  virtual MemoryWork memory(const Config& c) const;
  // How configuration `c` splits input tensor i / output tensor j, one count per tensor dimension.
  virtual Config input_split(std::size_t i, const Config& c) const = 0;
  virtual Config output_split(std::size_t j, const Config& c) const = 0;

 protected:
  std::string letters_;
  Shape domain_;
  Shape split_domain_;  // the domain used to enumerate configurations: 1 where a dimension is never split
  std::vector<Shape> inputs_;
  std::vector<Shape> outputs_;
};

// Builds the operator `kind` (Conv, Pooling, FC, Einsum, MatMul, Elementwise, Norm, BatchNorm,
// ReduceMean, Softmax, SoftmaxCrossEntropy, Concat, Split, Stack, Unstack, Ravel, Unravel,
// ReshapeAxes, Transpose, LSTM, Measured) over input tensors of the given shapes. Throws std::invalid_argument
// naming the field at fault.
std::unique_ptr<Operator> make_operator(const std::string& kind, const std::vector<Shape>& inputs,
                                        const Attributes& attributes);

bool is_known_operator(const std::string& kind);

}  // namespace pase
