#pragma once
// A model as loaded from a model file: layers (each with its operator's cost model) joined by
// tensors, and any explicit edge cost matrices.

#include <memory>
#include <string>
#include <vector>

#include "pase/cost/operator.hpp"
#include "pase/model/expression.hpp"

namespace pase {

struct TensorSource {
  int layer = -1;  // producing layer, or -1 for a graph input or weight (no edge)
  int output = 0;
  bool weight = false;  // an inline tensor ({"shape": [...]}): a parameter of the layer
};

struct Layer {
  std::string name;
  std::string op;  // as written in the model file
  std::vector<TensorSource> inputs;
  std::shared_ptr<const Operator> model;
  // Equal for layers with the same operator, attributes, dimension names and input shapes, whose
  // configurations, costs and tensor splits are therefore the same (a model's repeated blocks).
  std::string signature;
};

struct ExplicitEdge {
  int from = 0;
  int to = 0;
  std::vector<std::vector<double>> costs;
};

struct Network {
  std::string name;
  std::string file;
  Parameters params;
  std::int64_t cutoff = 4;
  std::vector<Layer> layers;
  std::vector<ExplicitEdge> edges;
  // The model's size where the file states it (imports do): weights and forward multiply-accumulates per
  // sample; -1 when unknown.
  std::int64_t parameters = -1;
  double forward_macs_per_sample = -1;

  // A parameter's value, or `fallback` where the model has no such parameter.
  std::int64_t param_or(const std::string& param, std::int64_t fallback) const {
    const auto it = params.find(param);
    return it == params.end() ? fallback : it->second;
  }
};

}  // namespace pase
