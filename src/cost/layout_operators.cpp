// Operators that only move or relabel data, at no cost of their own: Concat, Split, Stack, Unstack,
// Ravel, Unravel, Transpose. Their effect is in the edges: how they split their tensors.
#include <algorithm>
#include <numeric>
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
