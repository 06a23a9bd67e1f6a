#include "pase/cost/operator.hpp"

#include <functional>
#include <map>
#include <stdexcept>

#include "operator_kinds.hpp"

namespace pase {

std::size_t Operator::batch_dimension() const {
  const auto b = letters_.find('b');
  return b == std::string::npos ? 0 : b;
}

void Operator::rename_letters(const std::string& letters) {
  if (letters.size() != domain_.size())
    throw std::invalid_argument("field 'dims': '" + letters + "' has " + std::to_string(letters.size()) +
                                " letters, the iteration space has " + std::to_string(domain_.size()) +
                                " dimensions ('" + letters_ + "')");
  letters_ = letters;
}

std::vector<Config> Operator::configs(std::int64_t procs, std::int64_t cutoff) const {
  return enumerate_configs(split_domain_, procs, cutoff);
}

std::vector<double> Operator::costs(const std::vector<Config>& configs, const CostMath& math) const {
  std::vector<double> out;
  out.reserve(configs.size());
  for (const auto& c : configs) out.push_back(paper_cost(work(c), math));
  return out;
}

std::vector<LayerTime> Operator::times(const std::vector<Config>& configs, const HardwarePricing& pricing) const {
  std::vector<LayerTime> out;
  out.reserve(configs.size());
  for (const auto& c : configs) out.push_back(pricing.price(work(c), c));
  return out;
}

MemoryWork Operator::memory(const Config&) const {
  MemoryWork m;
  for (std::size_t i = 0; i < inputs_.size(); ++i) m.saved_inputs.push_back(i);
  m.recompute_inputs = m.saved_inputs;
  return m;
}

namespace {

using Factory = std::function<std::unique_ptr<Operator>(const std::vector<Shape>&, const Attributes&)>;

const std::map<std::string, Factory>& factories() {
  using namespace operators;
  static const std::map<std::string, Factory> table = {
      {"Conv", conv},
      {"Pooling", pooling},
      {"FC", fully_connected},
      {"Einsum", einsum},
      {"MatMul", matmul},
      {"Embedding", embedding},
      {"LSTM", lstm},
      {"Elementwise", elementwise},
      {"Norm", norm},
      {"BatchNorm", batch_norm},
      {"ReduceMean", reduce_mean},
      {"Softmax", softmax},
      {"SoftmaxCrossEntropy", softmax_cross_entropy},
      {"Concat", concat},
      {"Split", split},
      {"Stack", stack},
      {"Unstack", unstack},
      {"Ravel", ravel},
      {"Unravel", unravel},
      {"ReshapeAxes", reshape_axes},
      {"Transpose", transpose},
      {"Measured", measured},
  };
  return table;
}

}  // namespace

bool is_known_operator(const std::string& kind) { return factories().count(kind) > 0; }

std::unique_ptr<Operator> make_operator(const std::string& kind, const std::vector<Shape>& inputs,
                                        const Attributes& attributes) {
  const auto it = factories().find(kind);
  if (it == factories().end()) throw std::invalid_argument("field 'op': unknown operator '" + kind + "'");
  for (const auto& shape : inputs)
    for (auto d : shape)
      if (d < 1) throw std::invalid_argument("field 'in': a tensor has a dimension < 1");
  return it->second(inputs, attributes);
}

namespace operators {

void require_inputs(const Inputs& in, std::size_t count, const char* kind) {
  if (in.size() != count)
    throw std::invalid_argument(std::string("field 'in': ") + kind + " takes " + std::to_string(count) +
                                " input tensor(s), got " + std::to_string(in.size()));
}

std::size_t normalize_axis(std::int64_t axis, std::size_t rank, const char* field) {
  const auto r = static_cast<std::int64_t>(rank);
  const std::int64_t a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r)
    throw std::invalid_argument(std::string("field '") + field + "': axis " + std::to_string(axis) +
                                " is out of range for a tensor of rank " + std::to_string(rank));
  return static_cast<std::size_t>(a);
}

std::vector<double> per_device(const Shape& shape, const Config& split) {
  std::vector<double> out(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) out[i] = static_cast<double>(shape[i]) / static_cast<double>(split[i]);
  return out;
}

double product_of(const std::vector<double>& v) {
  double p = 1.0;
  for (double x : v) p *= x;
  return p;
}

Config pick(const Config& c, const std::vector<std::size_t>& indices) {
  Config out;
  for (auto i : indices) out.push_back(c[i]);
  return out;
}

Config without(const Config& c, std::size_t index) {
  Config out = c;
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(index));
  return out;
}

std::string default_letters(std::size_t rank) {
  static const std::string letters = "bcdefghijlmopqrtuvwxyz";
  if (rank > letters.size()) throw std::invalid_argument("field 'in': tensor rank is too large");
  return letters.substr(0, rank);
}

}  // namespace operators

}  // namespace pase
