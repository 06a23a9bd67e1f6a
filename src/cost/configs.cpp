#include "pase/cost/configs.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pase {

std::vector<std::int64_t> allowed_splits(std::int64_t d, std::int64_t cutoff, std::int64_t max_split) {
  std::vector<std::int64_t> splits;
  auto keep = [&](std::int64_t f) {
    if (f <= max_split && f <= d / cutoff && std::find(splits.begin(), splits.end(), f) == splits.end())
      splits.push_back(f);
  };
  // Trial division up to sqrt(d) or up to max_split, whichever is fewer steps: a dimension of 2^62 has
  // 2^31 candidates below its root, but no split above the device count can be used.
  if (max_split <= d / max_split) {
    for (std::int64_t f = 1; f <= max_split; ++f)
      if (d % f == 0) keep(f);
  } else {
    for (std::int64_t e = 1; e <= d / e; ++e) {  // e <= d / e: e * e would overflow near 2^63
      if (d % e != 0) continue;
      keep(e);
      keep(d / e);
    }
  }
  std::sort(splits.begin(), splits.end());
  if (splits.empty()) splits.push_back(1);
  return splits;
}

namespace {

void extend(const std::vector<std::vector<std::int64_t>>& choices, std::size_t dim, std::int64_t budget,
            Config& current, std::vector<Config>& out) {
  if (dim == choices.size()) {
    if (out.size() == max_configs_per_layer)
      throw std::invalid_argument("a layer has more than " + std::to_string(max_configs_per_layer) +
                                  " configurations; use fewer --procs (or a larger cutoff)");
    out.push_back(current);
    return;
  }
  for (std::int64_t c : choices[dim]) {
    if (c > budget) break;
    current[dim] = c;
    extend(choices, dim + 1, budget / c, current, out);
  }
}

}  // namespace

std::vector<Config> enumerate_configs(const Shape& dims, std::int64_t procs, std::int64_t cutoff) {
  std::vector<std::vector<std::int64_t>> choices;
  for (std::int64_t d : dims) choices.push_back(allowed_splits(d, cutoff, procs));
  std::vector<Config> out;
  Config current(dims.size(), 1);
  extend(choices, 0, procs, current, out);
  return out;
}

std::int64_t product(const Config& c) {
  std::int64_t p = 1;
  for (auto x : c)
    if (__builtin_mul_overflow(p, x, &p)) throw std::invalid_argument("a configuration splits into more than 2^63 parts");
  return p;
}

}  // namespace pase
