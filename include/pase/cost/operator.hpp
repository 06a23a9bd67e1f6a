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
  virtual std::vector<double> costs(const std::vector<Config>& configs, const CostMath& math) const;
  // How configuration `c` splits input tensor i / output tensor j, one count per tensor dimension.
  virtual Config input_split(std::size_t i, const Config& c) const = 0;
  virtual Config output_split(std::size_t j, const Config& c) const = 0;

 protected:
  virtual double cost(const Config& c, const CostMath& math) const = 0;

  std::string letters_;
  Shape domain_;
  Shape split_domain_;  // the domain used to enumerate configurations: 1 where a dimension is never split
  std::vector<Shape> inputs_;
  std::vector<Shape> outputs_;
};

// Builds the operator `kind` (Conv, Pooling, FC, Einsum, MatMul, Elementwise, Norm, BatchNorm,
// ReduceMean, Softmax, SoftmaxCrossEntropy, Concat, Split, Stack, Unstack, Ravel, Unravel,
// Transpose, LSTM, Measured) over input tensors of the given shapes. Throws std::invalid_argument
// naming the field at fault.
std::unique_ptr<Operator> make_operator(const std::string& kind, const std::vector<Shape>& inputs,
                                        const Attributes& attributes);

bool is_known_operator(const std::string& kind);

}  // namespace pase
