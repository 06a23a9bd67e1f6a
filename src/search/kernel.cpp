#include "pase/search/kernel.hpp"

#include <cstring>
#include <limits>

namespace pase {

namespace {

using v4d = double __attribute__((vector_size(32)));

inline v4d load4(const double* p) {
  v4d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

struct MinArg {
  double value = std::numeric_limits<double>::infinity();
  std::uint32_t index = 0;
};

// Minimum of sum(c) over c < n, lowest c on ties. `vector_sum(c)` gives sum(c..c+3).
template <class VectorSum, class ScalarSum>
inline MinArg min_argmin(std::size_t n, VectorSum vector_sum, ScalarSum scalar_sum) {
  MinArg best;
  std::size_t c = 0;
  if (n >= 4) {
    v4d best_value = vector_sum(0);
    v4d best_index = {0.0, 1.0, 2.0, 3.0};
    v4d index = best_index;
    const v4d step = {4.0, 4.0, 4.0, 4.0};
    for (c = 4; c + 4 <= n; c += 4) {
      index += step;
      const v4d s = vector_sum(c);
      const auto less = s < best_value;
      best_value = less ? s : best_value;
      best_index = less ? index : best_index;
    }
    for (int lane = 0; lane < 4; ++lane) {
      const auto lane_index = static_cast<std::uint32_t>(best_index[lane]);
      if (best_value[lane] < best.value || (best_value[lane] == best.value && lane_index < best.index))
        best = {best_value[lane], lane_index};
    }
  }
  for (; c < n; ++c) {
    const double s = scalar_sum(c);
    if (s < best.value) best = {s, static_cast<std::uint32_t>(c)};
  }
  return best;
}

inline MinArg min_argmin_of_sum(std::size_t n, const double* a, const double* b) {
  return min_argmin(
      n, [=](std::size_t c) { return load4(a + c) + load4(b + c); }, [=](std::size_t c) { return a[c] + b[c]; });
}

inline MinArg min_argmin_of_sum(std::size_t n, const double* a, const double* b, const double* d) {
  return min_argmin(
      n, [=](std::size_t c) { return (load4(a + c) + load4(b + c)) + load4(d + c); },
      [=](std::size_t c) { return (a[c] + b[c]) + d[c]; });
}

inline MinArg min_argmin_of(std::size_t n, const double* a) {
  return min_argmin(n, [=](std::size_t c) { return load4(a + c); }, [=](std::size_t c) { return a[c]; });
}

class Eliminator {
 public:
  explicit Eliminator(const KernelInput& input)
      : in_(input), levels_(static_cast<int>(input.extents.size())), phi_(levels_, 0),
        buffers_((levels_ + 1) * input.configs), partial_(levels_ + 1, nullptr), sum_(input.configs) {
    for (int l = -1; l < levels_; ++l) by_level_.emplace_back();
    for (const auto& f : in_.factors) by_level_[f.level + 1].push_back(&f);
  }

  template <class Index>
  void run(std::uint64_t begin, std::uint64_t end, std::uint64_t origin, double* out_costs, Index* out_argmin) {
    if (begin >= end) return;
    partial_[0] = accumulate(-1, in_.vertex_costs);
    if (levels_ == 0) {
      const MinArg best = min_argmin_of(in_.configs, partial_[0]);
      out_costs[0 - origin] = best.value;
      out_argmin[0 - origin] = static_cast<Index>(best.index);
      return;
    }
    decode(begin);
    int changed = 0;
    const int inner = levels_ - 1;
    for (std::uint64_t flat = begin; flat < end;) {
      for (int l = changed; l < inner; ++l) partial_[l + 1] = accumulate(l, partial_[l]);
      const std::uint64_t run = std::min<std::uint64_t>(end - flat, in_.extents[inner] - phi_[inner]);
      sweep_innermost(run, origin, out_costs, out_argmin);
      flat += run;
      changed = advance(run);
    }
  }

 private:
  std::uint64_t offset(const KernelFactor& f, int up_to_level) const {
    std::uint64_t o = 0;
    for (int l = 0; l <= up_to_level; ++l) o += f.strides[l] * phi_[l];
    return o;
  }

  // The partial sum after level `level`: the previous one plus the factors whose deepest level it is.
  const double* accumulate(int level, const double* previous) {
    const auto& factors = by_level_[level + 1];
    if (factors.empty()) return previous;
    double* out = &buffers_[(level + 1) * in_.configs];
    const double* src = previous;
    for (const KernelFactor* f : factors) {
      const double* d = f->data + (offset(*f, level) - f->origin);
      for (std::size_t c = 0; c < in_.configs; ++c) out[c] = src[c] + d[c];
      src = out;
    }
    return out;
  }

  template <class Index>
  void sweep_innermost(std::uint64_t run, std::uint64_t origin, double* out_costs, Index* out_argmin) {
    const int inner = levels_ - 1;
    const auto& factors = by_level_[inner + 1];
    const double* base = partial_[inner];
    std::uint64_t out = 0;
    for (int l = 0; l < inner; ++l) out += in_.out_strides[l] * phi_[l];
    const std::size_t k = in_.configs;
    std::vector<std::uint64_t> starts(factors.size());
    std::vector<const double*> ptrs(factors.size());
    for (std::size_t j = 0; j < factors.size(); ++j) starts[j] = offset(*factors[j], inner - 1) - factors[j]->origin;
    for (std::uint64_t i = 0; i < run; ++i) {
      const std::uint64_t value = phi_[inner] + i;
      for (std::size_t j = 0; j < factors.size(); ++j)
        ptrs[j] = factors[j]->data + (starts[j] + factors[j]->strides[inner] * value);
      MinArg best;
      if (ptrs.empty()) {
        best = min_argmin_of(k, base);
      } else if (ptrs.size() == 1) {
        best = min_argmin_of_sum(k, base, ptrs[0]);
      } else if (ptrs.size() == 2) {
        best = min_argmin_of_sum(k, base, ptrs[0], ptrs[1]);
      } else {
        for (std::size_t c = 0; c < k; ++c) sum_[c] = base[c] + ptrs[0][c];
        for (std::size_t j = 1; j + 1 < ptrs.size(); ++j)
          for (std::size_t c = 0; c < k; ++c) sum_[c] += ptrs[j][c];
        best = min_argmin_of_sum(k, sum_.data(), ptrs.back());
      }
      const std::uint64_t o = out + in_.out_strides[inner] * value - origin;
      out_costs[o] = best.value;
      out_argmin[o] = static_cast<Index>(best.index);
    }
  }

  void decode(std::uint64_t flat) {
    for (int l = levels_ - 1; l >= 0; --l) {
      phi_[l] = flat % in_.extents[l];
      flat /= in_.extents[l];
    }
  }

  // Moves past the innermost run; returns the outermost level whose value changed.
  int advance(std::uint64_t run) {
    int l = levels_ - 1;
    phi_[l] += run;
    while (l > 0 && phi_[l] == in_.extents[l]) {
      phi_[l] = 0;
      ++phi_[--l];
    }
    return l;
  }

  const KernelInput& in_;
  int levels_;
  std::vector<std::uint64_t> phi_;
  std::vector<double> buffers_;
  std::vector<const double*> partial_;  // partial_[l + 1]: sum after level l
  std::vector<std::vector<const KernelFactor*>> by_level_;
  std::vector<double> sum_;
};

}  // namespace

template <class Index>
void run_kernel(const KernelInput& input, std::uint64_t begin, std::uint64_t end, std::uint64_t out_origin,
                double* out_costs, Index* out_argmin) {
  Eliminator(input).run(begin, end, out_origin, out_costs, out_argmin);
}

template void run_kernel<std::uint8_t>(const KernelInput&, std::uint64_t, std::uint64_t, std::uint64_t, double*,
                                       std::uint8_t*);
template void run_kernel<std::uint16_t>(const KernelInput&, std::uint64_t, std::uint64_t, std::uint64_t, double*,
                                        std::uint16_t*);
template void run_kernel<std::uint32_t>(const KernelInput&, std::uint64_t, std::uint64_t, std::uint64_t, double*,
                                        std::uint32_t*);

}  // namespace pase
