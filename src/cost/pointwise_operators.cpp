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

 protected:
  // Keeps its output (of its input's shape) instead of its input.
  MemoryWork keeps_output(const Config& c) const {
    MemoryWork m = Operator::memory(c);
    m.saved_inputs.clear();
    m.saved_elements = product_of(per_device(domain_, c));
    return m;
  }
};

class Elementwise final : public ShapeWise {
 public:
  Elementwise(const Inputs& in, const Attributes& a)
      : ShapeWise((require_inputs(in, 2, "Elementwise"), in)),
        pointwise_ops_(static_cast<int>(a.integer_or("pointwise_ops", 0))) {
    if (in[0] != in[1]) throw std::invalid_argument("field 'in': Elementwise needs two inputs of the same shape");
  }

  Work work(const Config& c) const override {
    const double elements = product_of(per_device(domain_, c));
    Work w;
    // Forward reads two inputs and writes one; backward reads the gradient and writes two; each
    // further element-wise op reads and writes forward and reads two and writes one backward.
    w.add(StreamWork{.paper_flop = (1.0 + pointwise_ops_) * elements, .elements = elements,
                     .passes = 6.0 + 5.0 * pointwise_ops_});
    return w;
  }
  // A sum's backward passes the gradient on and reads nothing; further ops read both inputs.
  MemoryWork memory(const Config& c) const override {
    if (pointwise_ops_ > 0) return Operator::memory(c);
    MemoryWork m;
    m.recompute_inputs = {0, 1};
    return m;
  }

 private:
  int pointwise_ops_;
};

// Normalisation along `axis` (LayerNorm: the features; BatchNorm: axis 0, the batch). The prototype
// prices both as LayerNorm: statistics of the rows along the axis, all-reduced where the axis is
// split, and scale and bias of the axis's length. A framework's BatchNorm keeps its statistics, scale
// and bias per channel (dimension 1), all-reduced over the batch and spatial splits; the hardware
// pricing sees that.
class Norm final : public ShapeWise {
 public:
  Norm(const Inputs& in, std::int64_t axis, bool batch_norm)
      : ShapeWise((require_inputs(in, 1, "Norm"), in)), batch_norm_(batch_norm) {
    if (in[0].size() < 2) throw std::invalid_argument("field 'in': Norm needs an input of rank 2 or more");
    axis_ = normalize_axis(axis, in[0].size(), "axis");
  }

  Work work(const Config& c) const override {
    const auto part = per_device(domain_, c);
    const double elements = product_of(part);
    double procs_elsewhere = 1.0;
    Dims axis_group{axis_}, elsewhere;
    for (std::size_t i = 0; i < c.size(); ++i)
      if (i != axis_) {
        procs_elsewhere *= static_cast<double>(c[i]);
        elsewhere.push_back(i);
      }
    Work w;
    // Forward: a statistics pass, a normalising read and a write; backward: three reads, a write.
    w.add(StreamWork{.paper_flop = 16.0 * elements, .elements = elements, .passes = 7});
    // Mean and variance: forward and backward, reduced along the axis; scale and bias across the rest.
    const double rows = elements / part[axis_];
    CollectiveWork statistics{.paper_words = rows, .paper_procs = static_cast<double>(c[axis_]), .paper_times = 4.0,
                              .elements = rows, .times = 4.0, .group = axis_group};
    CollectiveWork scale_bias{.paper_words = part[axis_], .paper_procs = procs_elsewhere, .paper_times = 4.0,
                              .elements = 2.0 * part[axis_], .times = 1.0, .gradient = true, .group = elsewhere};
    if (batch_norm_ && c.size() >= 2) {
      Dims not_channel;
      for (std::size_t i = 0; i < c.size(); ++i)
        if (i != 1) not_channel.push_back(i);
      statistics.elements = part[1];
      statistics.group = not_channel;
      scale_bias.elements = 2.0 * part[1];
      scale_bias.group = not_channel;
    }
    w.add(std::move(statistics));
    w.add(std::move(scale_bias));
    return w;
  }
  // Keeps its input; its parameters are the scale and bias along the axis (BatchNorm: per channel).
  MemoryWork memory(const Config& c) const override {
    MemoryWork m = Operator::memory(c);
    const auto part = per_device(domain_, c);
    m.parameters = 2.0 * (batch_norm_ && c.size() >= 2 ? part[1] : part[axis_]);
    return m;
  }

 private:
  std::size_t axis_ = 0;
  bool batch_norm_ = false;
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

  Work work(const Config& c) const override {
    double procs = 1.0, reduced = 1.0;
    const auto part = per_device(domain_, c);
    for (auto i : axes_) {
      procs *= static_cast<double>(c[i]);
      reduced *= part[i];
    }
    const double elements = product_of(part);
    Work w;
    // The prototype all-reduces the whole input part; the partial means are what is summed.
    w.add(CollectiveWork{.paper_words = elements, .paper_procs = procs, .elements = elements / reduced,
                         .group = Dims(axes_.begin(), axes_.end())});
    // Forward reads the input; backward writes its gradient.
    w.add(StreamWork{.paper_flop = 0.0, .elements = elements, .passes = 2});
    return w;
  }
  // The backward pass spreads the gradient of the mean; it reads nothing from the forward pass.
  MemoryWork memory(const Config& c) const override {
    MemoryWork m = Operator::memory(c);
    m.saved_inputs.clear();
    return m;
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

  Work work(const Config& c) const override {
    const auto part = per_device(domain_, c);
    const double elements = product_of(part), rows = elements / part[axis_];
    const double width = static_cast<double>(domain_[axis_]), procs = static_cast<double>(c[axis_]);
    const Dims group{axis_};
    Work w;
    // Forward: max, exp-and-sum and normalise passes; backward dx = y (dy - sum(dy y)), element-wise:
    // two reads for the row sums, two reads and a write.
    w.add(StreamWork{.paper_flop = 4.0 * elements, .elements = elements, .passes = 8});
    // The prototype prices the backward pass as a Jacobian product over the row (width FLOP per
    // element) and all-reduces it; frameworks do neither (paper only).
    w.add(StreamWork{.paper_flop = elements * width});
    // Row maxima and sums forward (partial results reduced where the axis is split).
    w.add(CollectiveWork{.paper_words = rows, .paper_procs = procs, .elements = rows, .times = 2.0, .group = group});
    w.add(CollectiveWork{.paper_words = rows * width, .paper_procs = procs, .group = group});
    // The row sums of dy y backward.
    w.add(CollectiveWork{.paper_words = rows, .paper_procs = procs, .elements = rows, .group = group});
    return w;
  }
  // dx = y (dy - sum(dy y)) reads the output y.
  MemoryWork memory(const Config& c) const override { return keeps_output(c); }

 private:
  std::size_t axis_ = 0;
};

class SoftmaxCrossEntropy final : public ShapeWise {
 public:
  explicit SoftmaxCrossEntropy(const Inputs& in) : ShapeWise((require_inputs(in, 1, "SoftmaxCrossEntropy"), in)) {}

  Work work(const Config& c) const override {
    const auto part = per_device(domain_, c);
    const double rows = product_of(std::vector<double>(part.begin(), part.end() - 1));
    const double elements = product_of(part);
    Work w;
    // Forward max, exp-and-sum and log passes; backward softmax minus the one-hot label, written.
    w.add(StreamWork{.paper_flop = 4.0 * elements, .elements = elements, .passes = 6});
    w.add(StreamWork{.paper_flop = rows});
    w.add(StreamWork{.paper_flop = rows});
    if (c.back() > 1) {
      const Dims classes{c.size() - 1};
      // The prototype broadcasts the labels along the split class dimension (paper only); a split
      // softmax all-reduces its row maxima, sums and label logits (hardware only).
      w.add(CollectiveWork{.kind = CollectiveKind::transfer, .paper_words = 2.0 * rows, .group = classes});
      w.add(CollectiveWork{.paper_words = 0.0, .elements = rows, .times = 3.0, .group = classes});
    }
    return w;
  }
  // The gradient is the softmax minus the one-hot label: the probabilities are kept.
  MemoryWork memory(const Config& c) const override { return keeps_output(c); }
};

}  // namespace

Made elementwise(const Inputs& in, const Attributes& a) { return std::make_unique<Elementwise>(in, a); }
Made norm(const Inputs& in, const Attributes& a) {
  return std::make_unique<Norm>(in, a.integer_or("axis", -1), false);
}
Made batch_norm(const Inputs& in, const Attributes&) { return std::make_unique<Norm>(in, 0, true); }
Made reduce_mean(const Inputs& in, const Attributes& a) { return std::make_unique<ReduceMean>(in, a); }
Made softmax(const Inputs& in, const Attributes& a) { return std::make_unique<Softmax>(in, a.integer_or("axis", 1)); }
Made softmax_cross_entropy(const Inputs& in, const Attributes&) {
  return std::make_unique<SoftmaxCrossEntropy>(in);
}

}  // namespace pase::operators
