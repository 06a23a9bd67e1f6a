// Operators that only move or relabel data, at no cost of their own: Concat, Split, Stack, Unstack,
// Ravel, Unravel, ReshapeAxes, Transpose. Their effect is in the edges: how they split their tensors.
#include <algorithm>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "operator_kinds.hpp"

namespace pase::operators {

namespace {

class FreeOperator : public Operator {
 public:
  Work work(const Config&) const override { return {}; }
  // A re-layout's backward pass is the inverse re-layout of the gradient: nothing is kept.
  MemoryWork memory(const Config&) const override { return {}; }
};

class Concat final : public FreeOperator {
 public:
  Concat(const Inputs& in, const Attributes& a) {
    if (in.size() < 2) throw std::invalid_argument("field 'in': Concat needs at least two inputs");
    const auto rank = in[0].size();
    axis_ = normalize_axis(a.integer("axis"), rank, "axis");
    Shape out = in[0];
    out[axis_] = 0;
    for (const auto& t : in) {
      if (t.size() != rank) throw std::invalid_argument("field 'in': Concat inputs must have the same rank");
      for (std::size_t i = 0; i < rank; ++i)
        if (i != axis_ && t[i] != in[0][i])
          throw std::invalid_argument("field 'in': Concat inputs differ outside the concatenation axis");
      out[axis_] += t[axis_];
    }
    letters_ = default_letters(rank);
    domain_ = in[0];
    domain_[axis_] = 1;  // never split along the concatenation axis
    split_domain_ = domain_;
    inputs_ = in;
    outputs_ = {out};
  }
  Config input_split(std::size_t, const Config& c) const override { return c; }
  Config output_split(std::size_t, const Config& c) const override { return c; }

 private:
  std::size_t axis_ = 0;
};

class Split final : public FreeOperator {
 public:
  Split(const Inputs& in, const Attributes& a) {
    require_inputs(in, 1, "Split");
    const auto parts = a.integer("parts");
    axis_ = normalize_axis(a.integer("axis"), in[0].size(), "axis");
    if (parts < 1 || in[0][axis_] % parts != 0)
      throw std::invalid_argument("field 'parts': " + std::to_string(parts) + " does not divide the axis of size " +
                                  std::to_string(in[0][axis_]));
    letters_ = default_letters(in[0].size());
    domain_ = in[0];
    domain_[axis_] = 1;
    split_domain_ = domain_;
    inputs_ = in;
    Shape piece = in[0];
    piece[axis_] /= parts;
    outputs_.assign(static_cast<std::size_t>(parts), piece);
  }
  Config input_split(std::size_t, const Config& c) const override { return c; }
  Config output_split(std::size_t, const Config& c) const override { return c; }

 private:
  std::size_t axis_ = 0;
};

class Stack final : public FreeOperator {
 public:
  Stack(const Inputs& in, const Attributes& a) {
    if (in.empty()) throw std::invalid_argument("field 'in': Stack needs at least one input");
    for (const auto& t : in)
      if (t != in[0]) throw std::invalid_argument("field 'in': Stack inputs must have the same shape");
    axis_ = normalize_axis(a.integer_or("axis", 0), in[0].size(), "axis");
    domain_ = in[0];
    domain_.insert(domain_.begin() + static_cast<std::ptrdiff_t>(axis_), 1);
    split_domain_ = domain_;
    letters_ = default_letters(in[0].size());
    letters_.insert(axis_, 1, 's');  // the stacking axis, never split and never the batch
    inputs_ = in;
    Shape out = in[0];
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(axis_), static_cast<std::int64_t>(in.size()));
    outputs_ = {out};
  }
  Config input_split(std::size_t, const Config& c) const override { return without(c, axis_); }
  Config output_split(std::size_t, const Config& c) const override { return c; }

 private:
  std::size_t axis_ = 0;
};

class Unstack final : public FreeOperator {
 public:
  Unstack(const Inputs& in, const Attributes& a) {
    require_inputs(in, 1, "Unstack");
    axis_ = normalize_axis(a.integer_or("axis", 0), in[0].size(), "axis");
    letters_ = default_letters(in[0].size() - 1);
    letters_.insert(axis_, 1, 's');  // the unstacked axis, never split and never the batch
    domain_ = in[0];
    domain_[axis_] = 1;
    split_domain_ = domain_;
    inputs_ = in;
    Shape piece = in[0];
    piece.erase(piece.begin() + static_cast<std::ptrdiff_t>(axis_));
    outputs_.assign(static_cast<std::size_t>(in[0][axis_]), piece);
  }
  Config input_split(std::size_t, const Config& c) const override { return c; }
  Config output_split(std::size_t, const Config& c) const override { return without(c, axis_); }

 private:
  std::size_t axis_ = 0;
};

// A configuration splits a reshape contiguously when the leading dimensions are split completely,
// then one dimension is split partially, and the rest not at all.
bool splits_contiguously(const Shape& dims, const Config& c) {
  std::size_t i = 0;
  while (i < dims.size() && dims[i] == c[i]) ++i;
  for (++i; i < dims.size(); ++i)
    if (c[i] != 1) return false;
  return true;
}

// Ravel (many dimensions -> one) and Unravel (one -> many) share the rule: the multi-dimensional
// side is the iteration space, the flat side is split by the product of the configuration.
class Reshape final : public FreeOperator {
 public:
  Reshape(const Shape& flat, const Shape& shaped, bool ravel) : ravel_(ravel) {
    letters_ = default_letters(shaped.size());
    domain_ = split_domain_ = shaped;
    inputs_ = {ravel ? shaped : flat};
    outputs_ = {ravel ? flat : shaped};
  }
  std::vector<Config> configs(std::int64_t procs, std::int64_t cutoff) const override {
    auto all = enumerate_configs(split_domain_, procs, cutoff);
    std::erase_if(all, [&](const Config& c) { return !splits_contiguously(domain_, c); });
    return all;
  }
  Config input_split(std::size_t, const Config& c) const override { return ravel_ ? c : Config{product(c)}; }
  Config output_split(std::size_t, const Config& c) const override { return ravel_ ? Config{product(c)} : c; }

 private:
  bool ravel_;
};

std::int64_t elements(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s)
    if (__builtin_mul_overflow(n, d, &n))
      throw std::invalid_argument("field 'in': the tensor has more than 2^63 elements; use smaller dimensions");
  return n;
}

// Where each factor of a common refinement of two shapes lies: the axis of the input and of the output it is
// part of. An axis of size 1 holds no factor.
struct Refinement {
  Shape factors;
  std::vector<std::size_t> input_axis, output_axis;
};

// The common refinement of `in` and `out` when every axis of each is a product of consecutive factors (the
// reshape only splits and merges axes: (b, l, h * d_k) <-> (b, l, h, d_k)); none otherwise ((6, 4) -> (4, 6)).
std::optional<Refinement> refine(const Shape& in, const Shape& out) {
  Refinement r;
  std::size_t i = 0, j = 0;
  auto skip_ones = [](const Shape& s, std::size_t& k) {
    while (k < s.size() && s[k] == 1) ++k;
  };
  skip_ones(in, i);
  skip_ones(out, j);
  std::int64_t left_in = i < in.size() ? in[i] : 1, left_out = j < out.size() ? out[j] : 1;
  while (i < in.size() && j < out.size()) {
    const std::int64_t f = std::min(left_in, left_out);
    if (std::max(left_in, left_out) % f != 0) return std::nullopt;
    r.factors.push_back(f);
    r.input_axis.push_back(i);
    r.output_axis.push_back(j);
    left_in /= f;
    left_out /= f;
    if (left_in == 1 && ++i < in.size()) {
      skip_ones(in, i);
      if (i < in.size()) left_in = in[i];
    }
    if (left_out == 1 && ++j < out.size()) {
      skip_ones(out, j);
      if (j < out.size()) left_out = out[j];
    }
  }
  if (i < in.size() || j < out.size()) return std::nullopt;
  if (r.factors.empty() && !in.empty() && !out.empty()) r = {{1}, {0}, {0}};  // every axis of size 1
  if (r.factors.empty()) return std::nullopt;
  return r;
}

// A reshape that splits and merges axes, over the common refinement of its shapes. A configuration splits each
// axis's factors contiguously (the outer ones completely before an inner one, splits_contiguously): then a
// device's block of every input axis and of every output axis holds the same elements, and the reshape moves
// nothing. A head split of (b, l, h * d_k) into (b, l, h, d_k) is one: h split in c, d in c blocks of whole
// heads. A neighbour's split that no configuration expresses (d split into halves of a head) is a re-layout,
// which the edge to it prices.
class ReshapeAxes final : public FreeOperator {
 public:
  ReshapeAxes(const Inputs& in, const Attributes& a) {
    require_inputs(in, 1, "ReshapeAxes");
    const Shape shape = a.integers("shape");
    for (auto d : shape)
      if (d < 1) throw std::invalid_argument("field 'shape': dimensions must be at least 1");
    if (elements(shape) != elements(in[0]))
      throw std::invalid_argument("field 'shape': has " + std::to_string(elements(shape)) + " elements, the input " +
                                  std::to_string(elements(in[0])));
    auto r = refine(in[0], shape);
    if (!r)
      throw std::invalid_argument("field 'shape': " + text(shape) + " does not only split and merge the axes of " +
                                  text(in[0]) + "; use Reshape");
    refinement_ = std::move(*r);
    letters_ = default_letters(refinement_.factors.size());
    domain_ = split_domain_ = refinement_.factors;
    inputs_ = in;
    outputs_ = {shape};
  }
  std::vector<Config> configs(std::int64_t procs, std::int64_t cutoff) const override {
    auto all = enumerate_configs(split_domain_, procs, cutoff);
    std::erase_if(all, [&](const Config& c) {
      return !contiguous_per_axis(c, refinement_.input_axis) || !contiguous_per_axis(c, refinement_.output_axis);
    });
    return all;
  }
  Config input_split(std::size_t, const Config& c) const override {
    return axis_splits(c, refinement_.input_axis, inputs_[0].size());
  }
  Config output_split(std::size_t, const Config& c) const override {
    return axis_splits(c, refinement_.output_axis, outputs_[0].size());
  }

 private:
  static std::string text(const Shape& s) {
    std::string t = "(";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + ")";
  }
  // The factors of one axis are consecutive: check each axis's run.
  bool contiguous_per_axis(const Config& c, const std::vector<std::size_t>& axis) const {
    for (std::size_t begin = 0; begin < axis.size();) {
      std::size_t end = begin;
      while (end < axis.size() && axis[end] == axis[begin]) ++end;
      const auto from = static_cast<std::ptrdiff_t>(begin), to = static_cast<std::ptrdiff_t>(end);
      const Shape dims(domain_.begin() + from, domain_.begin() + to);
      const Config part(c.begin() + from, c.begin() + to);
      if (!splits_contiguously(dims, part)) return false;
      begin = end;
    }
    return true;
  }
  static Config axis_splits(const Config& c, const std::vector<std::size_t>& axis, std::size_t rank) {
    Config split(rank, 1);
    for (std::size_t f = 0; f < c.size(); ++f) split[axis[f]] *= c[f];
    return split;
  }

  Refinement refinement_;
};


class Transpose final : public FreeOperator {
 public:
  Transpose(const Inputs& in, const Attributes& a) {
    require_inputs(in, 1, "Transpose");
    const auto perm = a.integers("perm");
    std::vector<std::int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::int64_t> identity(in[0].size());
    std::iota(identity.begin(), identity.end(), 0);
    if (sorted != identity)
      throw std::invalid_argument("field 'perm': must be a permutation of 0.." + std::to_string(in[0].size() - 1));
    for (auto p : perm) perm_.push_back(static_cast<std::size_t>(p));
    letters_ = default_letters(in[0].size());
    domain_ = split_domain_ = in[0];
    inputs_ = in;
    outputs_ = {pick(in[0], perm_)};
  }
  Config input_split(std::size_t, const Config& c) const override { return c; }
  Config output_split(std::size_t, const Config& c) const override { return pick(c, perm_); }

 private:
  std::vector<std::size_t> perm_;
};

}  // namespace

Made concat(const Inputs& in, const Attributes& a) { return std::make_unique<Concat>(in, a); }
Made split(const Inputs& in, const Attributes& a) { return std::make_unique<Split>(in, a); }
Made stack(const Inputs& in, const Attributes& a) { return std::make_unique<Stack>(in, a); }
Made unstack(const Inputs& in, const Attributes& a) { return std::make_unique<Unstack>(in, a); }
Made transpose(const Inputs& in, const Attributes& a) { return std::make_unique<Transpose>(in, a); }
Made reshape_axes(const Inputs& in, const Attributes& a) { return std::make_unique<ReshapeAxes>(in, a); }

Made ravel(const Inputs& in, const Attributes&) {
  require_inputs(in, 1, "Ravel");
  return std::make_unique<Reshape>(Shape{elements(in[0])}, in[0], true);
}

Made unravel(const Inputs& in, const Attributes& a) {
  require_inputs(in, 1, "Unravel");
  const Shape shape = a.integers("shape");
  if (in[0].size() != 1) throw std::invalid_argument("field 'in': Unravel needs a 1-D input (use Reshape)");
  for (auto d : shape)
    if (d < 1) throw std::invalid_argument("field 'shape': dimensions must be at least 1");
  if (elements(shape) != in[0][0])
    throw std::invalid_argument("field 'shape': has " + std::to_string(elements(shape)) + " elements, the input " +
                                std::to_string(in[0][0]));
  return std::make_unique<Reshape>(in[0], shape, false);
}

}  // namespace pase::operators
