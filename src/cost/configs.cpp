#include "pase/cost/configs.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pase {

std::vector<std::int64_t> allowed_splits(std::int64_t d, std::int64_t cutoff) {
  std::vector<std::int64_t> splits;
  for (std::int64_t e = 1; e * e <= d; ++e) {
    if (d % e != 0) continue;
    for (std::int64_t f : {e, d / e})
      if (d >= cutoff * f && std::find(splits.begin(), splits.end(), f) == splits.end()) splits.push_back(f);
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
  for (std::int64_t d : dims) choices.push_back(allowed_splits(d, cutoff));
  std::vector<Config> out;
  Config current(dims.size(), 1);
  extend(choices, 0, procs, current, out);
  return out;
}

std::int64_t product(const Config& c) {
  std::int64_t p = 1;
  for (auto x : c) p *= x;
  return p;
}

}  // namespace pase
