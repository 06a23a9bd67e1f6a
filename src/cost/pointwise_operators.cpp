// Operators that work element by element or reduce along axes: Elementwise, Norm and BatchNorm,
// ReduceMean, Softmax, SoftmaxCrossEntropy.
#include <algorithm>
#include <stdexcept>

#include "operator_kinds.hpp"

namespace pase::operators {

namespace {

// An operator whose iteration space is its (first) input's shape and whose tensors all split like it.
class ShapeWise : public Operator {
 public:
  explicit ShapeWise(const Inputs& in) {
    letters_ = default_letters(in[0].size());
    domain_ = split_domain_ = in[0];
    inputs_ = in;
    outputs_ = {in[0]};
  }
  Config input_split(std::size_t, const Config& c) const override { return c; }
  Config output_split(std::size_t, const Config& c) const override { return c; }
};

class Elementwise final : public ShapeWise {
 public:
  Elementwise(const Inputs& in, const Attributes& a)
      : ShapeWise((require_inputs(in, 2, "Elementwise"), in)),
        pointwise_ops_(static_cast<int>(a.integer_or("pointwise_ops", 0))) {
    if (in[0] != in[1]) throw std::invalid_argument("field 'in': Elementwise needs two inputs of the same shape");
  }

 protected:
  double cost(const Config& c, const CostMath&) const override {
    return (1.0 + pointwise_ops_) * product_of(per_device(domain_, c));
  }

 private:
  int pointwise_ops_;
};

class Norm final : public ShapeWise {
 public:
  Norm(const Inputs& in, std::int64_t axis) : ShapeWise((require_inputs(in, 1, "Norm"), in)) {
    if (in[0].size() < 2) throw std::invalid_argument("field 'in': Norm needs an input of rank 2 or more");
    axis_ = normalize_axis(axis, in[0].size(), "axis");
  }

 protected:
  double cost(const Config& c, const CostMath& math) const override {
    const auto part = per_device(domain_, c);
    const double elements = product_of(part);
    double procs_elsewhere = 1.0;
    for (std::size_t i = 0; i < c.size(); ++i)
      if (i != axis_) procs_elsewhere *= static_cast<double>(c[i]);
    // Mean and variance: forward and backward, reduced along the axis; scale and bias across the rest.
    return 16.0 * elements + 4.0 * math.all_reduce(elements / part[axis_], static_cast<double>(c[axis_])) +
           4.0 * math.all_reduce(part[axis_], procs_elsewhere);
  }

 private:
  std::size_t axis_ = 0;
};

class ReduceMean final : public Operator {
 public:
  ReduceMean(const Inputs& in, const Attributes& a) {
    require_inputs(in, 1, "ReduceMean");
    const auto rank = in[0].size();
    std::vector<std::int64_t> axes;
    if (const auto given = a.optional_integers("axes")) {
      axes = *given;
    } else {
      for (std::size_t i = 0; i < rank; ++i) axes.push_back(static_cast<std::int64_t>(i));
    }
    for (auto axis : axes) axes_.push_back(normalize_axis(axis, rank, "axes"));
    std::sort(axes_.begin(), axes_.end());
    if (std::adjacent_find(axes_.begin(), axes_.end()) != axes_.end())
      throw std::invalid_argument("field 'axes': an axis is listed twice");
    keepdims_ = a.boolean_or("keepdims", false);
    letters_ = default_letters(rank);
    domain_ = split_domain_ = in[0];
    inputs_ = in;
    Shape out;
    for (std::size_t i = 0; i < rank; ++i) {
      if (!is_reduced(i)) out.push_back(in[0][i]);
      else if (keepdims_) out.push_back(1);
    }
    if (out.empty()) out.push_back(1);
    outputs_ = {out};
  }
  Config input_split(std::size_t, const Config& c) const override { return c; }
  Config output_split(std::size_t, const Config& c) const override {
    Config out;
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (!is_reduced(i)) out.push_back(c[i]);
      else if (keepdims_) out.push_back(1);
    }
    if (out.empty()) out.push_back(1);
    return out;
  }

 protected:
  double cost(const Config& c, const CostMath& math) const override {
    double procs = 1.0;
    for (auto i : axes_) procs *= static_cast<double>(c[i]);
    return math.all_reduce(product_of(per_device(domain_, c)), procs);
  }

 private:
  bool is_reduced(std::size_t i) const { return std::binary_search(axes_.begin(), axes_.end(), i); }
  std::vector<std::size_t> axes_;
  bool keepdims_ = false;
};

class Softmax final : public ShapeWise {
 public:
  Softmax(const Inputs& in, std::int64_t axis) : ShapeWise((require_inputs(in, 1, "Softmax"), in)) {
    axis_ = normalize_axis(axis, in[0].size(), "axis");
  }

 protected:
  double cost(const Config& c, const CostMath& math) const override {
    const auto part = per_device(domain_, c);
    const double elements = product_of(part), rows = elements / part[axis_];
    const double width = static_cast<double>(domain_[axis_]), procs = static_cast<double>(c[axis_]);
    // exp and sum forward, a product per input per row element backward; partial sums reduced.
    double total = 4.0 * elements;
    total += elements * width;
    total += math.all_reduce(rows, procs);
    total += math.all_reduce(rows * width, procs);
    total += math.all_reduce(rows, procs);
    return total;
  }

 private:
  std::size_t axis_ = 0;
};

class SoftmaxCrossEntropy final : public ShapeWise {
 public:
  explicit SoftmaxCrossEntropy(const Inputs& in) : ShapeWise((require_inputs(in, 1, "SoftmaxCrossEntropy"), in)) {}

 protected:
  double cost(const Config& c, const CostMath& math) const override {
    const auto part = per_device(domain_, c);
    const double rows = product_of(std::vector<double>(part.begin(), part.end() - 1));
    double total = 4.0 * product_of(part) + rows + rows;
    if (c.back() > 1) total += math.words(2.0 * rows);  // labels broadcast along the split class dimension
    return total;
  }
};

}  // namespace

Made elementwise(const Inputs& in, const Attributes& a) { return std::make_unique<Elementwise>(in, a); }
Made norm(const Inputs& in, const Attributes& a) { return std::make_unique<Norm>(in, a.integer_or("axis", -1)); }
Made batch_norm(const Inputs& in, const Attributes&) { return std::make_unique<Norm>(in, 0); }
Made reduce_mean(const Inputs& in, const Attributes& a) { return std::make_unique<ReduceMean>(in, a); }
Made softmax(const Inputs& in, const Attributes& a) { return std::make_unique<Softmax>(in, a.integer_or("axis", 1)); }
Made softmax_cross_entropy(const Inputs& in, const Attributes&) {
  return std::make_unique<SoftmaxCrossEntropy>(in);
}

}  // namespace pase::operators
