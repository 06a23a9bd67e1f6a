#include "pase/stages/stage_search.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace pase {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

void check_input(const StageSearchInput& in) {
  if (in.layers < 1) throw std::invalid_argument("stage search: layers must be at least 1");
  if (in.devices < 1) throw std::invalid_argument("stage search: devices must be at least 1");
  if (in.stage_devices.empty()) throw std::invalid_argument("stage search: no stage device count given");
  for (int a : in.stage_devices)
    if (a < 1) throw std::invalid_argument("stage search: a stage device count must be at least 1");
  if (in.microbatches.empty()) throw std::invalid_argument("stage search: no micro-batch count given");
  for (long m : in.microbatches)
    if (m < 1) throw std::invalid_argument("stage search: a micro-batch count must be at least 1");
  if (in.strategies < 1) throw std::invalid_argument("stage search: strategies must be at least 1");
  if (!in.signatures.empty() && static_cast<int>(in.signatures.size()) != in.layers)
    throw std::invalid_argument("stage search: one signature per layer needed");
  if (!(in.capacity_bytes >= 0)) throw std::invalid_argument("stage search: capacity_bytes must be 0 or more");
}

}  // namespace

std::vector<int> range_ids(const std::vector<int>& signatures) {
  // A range's id is that of (the range one shorter, its last signature): equal ids, equal sequences.
  const std::size_t n = signatures.size();
  std::map<std::pair<int, int>, int> ids;
  std::vector<int> out(n * n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    int previous = -1;
    for (std::size_t j = i; j < n; ++j) {
      previous = ids.emplace(std::pair{previous, signatures[j]}, static_cast<int>(ids.size())).first->second;
      out[i * n + j] = previous;
    }
  }
  return out;
}

namespace {

// Memoised stage prices: ranges with equal signature sequences share one call per (devices, m).
class StagePrices {
 public:
  StagePrices(const StageSearchInput& in, const StageCostFunction& cost) : in_(in), cost_(cost) {
    std::map<std::string, int> ids;
    for (int v = 0; v < in.layers; ++v)
      signature_.push_back(in.signatures.empty() ? v : ids.emplace(in.signatures[v], static_cast<int>(ids.size())).first->second);
    range_ = range_ids(signature_);
  }

  const StageCost& get(int first, int last, int devices, long m, int strategy) {
    ++lookups;
    const auto key = std::make_tuple(range_[index(first, last)], devices, m, strategy);
    auto it = memo_.find(key);
    if (it == memo_.end()) {
      ++evaluations;
      it = memo_.emplace(key, cost_(first, last, devices, m, strategy)).first;
    }
    return it->second;
  }

  std::uint64_t evaluations = 0, lookups = 0;

 private:
  std::size_t index(int i, int j) const { return static_cast<std::size_t>(i) * in_.layers + j; }
  const StageSearchInput& in_;
  const StageCostFunction& cost_;
  std::vector<int> signature_;
  std::vector<int> range_;
  std::map<std::tuple<int, int, long, int>, StageCost> memo_;
};

struct Choice {
  int last = -1;        // the stage's last layer
  int devices = 0;
  int strategy = 0;
  int rest_stages = 0;  // the DP coordinate k of what follows
};

// The DP for one m and one bound: G(i, d, k), the least sum of stage times of layers i.. on d
// devices whose first stage holds k in-flight micro-batches (k = min(m, stages from it to the end)).
class BoundedDp {
 public:
  BoundedDp(const StageSearchInput& in, long m, const std::vector<const StageCost*>& prices)
      : in_(in), m_(m), prices_(prices) {
    // With one stage device count the devices left say how many stages follow: k needs no coordinate.
    implicit_k_ = in.stage_devices.size() == 1;
    options_ = in.stage_devices.size() * static_cast<std::size_t>(in.strategies);
    k_cap_ = implicit_k_ ? 0 : static_cast<int>(std::min<long>(m, in.layers));
    step_ = 0;  // devices left are multiples of the counts' gcd
    for (int a : in.stage_devices) step_ = std::gcd(step_, a);
    sum_.assign(states(), infinity);
    choice_.assign(states(), Choice{});
    // Per (stage device count, devices left): whether a stage there sends across nodes.
    crosses_.assign(in.stage_devices.size() * static_cast<std::size_t>(in.devices + 1), 0);
    if (in.send_crosses_nodes)
      for (std::size_t c = 0; c < in.stage_devices.size(); ++c)
        for (int d = in.stage_devices[c]; d <= in.devices; ++d)
          crosses_[c * (in.devices + 1) + d] = in.send_crosses_nodes(in.devices - d, in.stage_devices[c]) ? 1 : 0;
  }

  // Fills the table with stages no slower than `bound`; returns the least sum over k of G(0, D, k).
  double run(double bound) {
    std::fill(sum_.begin(), sum_.end(), infinity);
    sum_[at(in_.layers, 0, 0)] = 0;
    const int L = in_.layers, D = in_.devices;
    for (int i = L - 1; i >= 0; --i)
      for (int j = i; j < L; ++j)
        for (std::size_t option = 0; option < options_; ++option) {
          const StageCost* price = prices_[(static_cast<std::size_t>(i) * L + j) * options_ + option];
          if (!price || !price->runs || std::min(stage_time_s(*price, false), stage_time_s(*price, true)) > bound)
            continue;
          const std::size_t count = option / in_.strategies;
          const int a = in_.stage_devices[count];
          const int strategy = static_cast<int>(option % in_.strategies);
          for (int d = a; d <= D; d += step_) {
            const double time = stage_time_s(*price, crosses_[count * (D + 1) + d] != 0);
            if (time > bound) continue;
            for (int rest_k = 0; rest_k <= k_cap_; ++rest_k) {
              const double rest = sum_[at(j + 1, d - a, rest_k)];
              if (rest == infinity) continue;
              const int k = implicit_k_ ? 0 : std::min(rest_k + 1, k_cap_);
              const double in_flight = implicit_k_ ? static_cast<double>(std::min<long>(m_, d / a)) : k;
              if (in_.capacity_bytes > 0 &&
                  price->static_bytes_per_device + in_flight * price->activation_bytes_per_microbatch > in_.capacity_bytes)
                continue;
              const double candidate = time + rest;
              double& best = sum_[at(i, d, k)];
              if (candidate < best) {
                best = candidate;
                choice_[at(i, d, k)] = {j, a, strategy, rest_k};
              }
            }
          }
        }
    double best = infinity;
    best_k_ = -1;
    for (int k = implicit_k_ ? 0 : 1; k <= k_cap_; ++k)
      if (sum_[at(0, D, k)] < best) {
        best = sum_[at(0, D, k)];
        best_k_ = k;
      }
    return best;
  }

  // The stages of the last run's best pipeline: (first, last, devices, strategy) each.
  std::vector<std::tuple<int, int, int, int>> stages() const {
    std::vector<std::tuple<int, int, int, int>> out;
    int i = 0, d = in_.devices, k = best_k_;
    while (i < in_.layers) {
      const Choice c = choice_[at(i, d, k)];
      out.emplace_back(i, c.last, c.devices, c.strategy);
      i = c.last + 1;
      d -= c.devices;
      k = c.rest_stages;
    }
    return out;
  }

 private:
  std::size_t states() const {
    return static_cast<std::size_t>(in_.layers + 1) * (in_.devices + 1) * (k_cap_ + 1);
  }
  std::size_t at(int i, int d, int k) const {
    return (static_cast<std::size_t>(i) * (in_.devices + 1) + d) * (k_cap_ + 1) + k;
  }
  const StageSearchInput& in_;
  long m_;
  const std::vector<const StageCost*>& prices_;  // per (first, last, stage device count)
  bool implicit_k_ = false;
  std::size_t options_ = 1;  // (stage device count, strategy) pairs
  int step_ = 1;
  int k_cap_ = 1;
  int best_k_ = -1;
  std::vector<double> sum_;
  std::vector<Choice> choice_;
  std::vector<char> crosses_;
};

PipelinePlan make_plan(const StageSearchInput& in, const std::vector<std::tuple<int, int, int, int>>& cuts, long m,
                       StagePrices& prices) {
  PipelinePlan plan;
  plan.schedule = {static_cast<int>(cuts.size()), m, 1};
  std::vector<double> times;
  int first_device = 0;
  for (std::size_t s = 0; s < cuts.size(); ++s) {
    const auto [first, last, devices, strategy] = cuts[s];
    const StageCost& cost = prices.get(first, last, devices, m, strategy);
    StagePlan stage;
    stage.first_layer = first;
    stage.last_layer = last;
    stage.devices = devices;
    stage.send_crosses_nodes = in.send_crosses_nodes && in.send_crosses_nodes(first_device, devices);
    stage.microbatch_time_s = stage_time_s(cost, stage.send_crosses_nodes);
    stage.memory_bytes_per_device = stage_memory_bytes(cost, plan.schedule, static_cast<int>(s));
    plan.stages.push_back(stage);
    times.push_back(stage.microbatch_time_s);
    first_device += devices;
  }
  plan.pipeline_time_s = pipeline_time_s(times, plan.schedule);
  return plan;
}

}  // namespace

std::vector<int> stage_device_counts(int devices, int node_size) {
  if (devices < 1 || node_size < 1) throw std::invalid_argument("stage device counts: devices and node size must be at least 1");
  std::vector<int> out;
  for (int a = 1; a < node_size && a <= devices; a *= 2)
    if (node_size % a == 0) out.push_back(a);
  for (int a = node_size; a <= devices; a += node_size) out.push_back(a);
  return out;
}

double stage_time_s(const StageCost& cost, bool send_crosses_nodes) {
  return send_crosses_nodes && cost.crossing_time_s >= 0 ? cost.crossing_time_s : cost.microbatch_time_s;
}

double stage_memory_bytes(const StageCost& cost, const PipelineSchedule& schedule, int stage) {
  return cost.static_bytes_per_device + in_flight_microbatches(schedule, stage) * cost.activation_bytes_per_microbatch;
}

StageSearchResult search_stages(const StageSearchInput& in, const StageCostFunction& stage_cost) {
  check_input(in);
  StageSearchResult result;
  StagePrices memo(in, stage_cost);
  const int L = in.layers;
  double best_time = infinity;
  bool any_runs = false;
  for (long m : in.microbatches) {
    // Every range's price at every stage device count, and the stage times that can be bounds.
    const std::size_t options = in.stage_devices.size() * static_cast<std::size_t>(in.strategies);
    std::vector<const StageCost*> prices(static_cast<std::size_t>(L) * L * options, nullptr);
    std::vector<double> bounds;
    for (int i = 0; i < L; ++i)
      for (int j = i; j < L; ++j)
        for (std::size_t option = 0; option < options; ++option) {
          const int a = in.stage_devices[option / in.strategies];
          if (a > in.devices) continue;
          const StageCost& cost = memo.get(i, j, a, m, static_cast<int>(option % in.strategies));
          prices[(static_cast<std::size_t>(i) * L + j) * options + option] = &cost;
          if (!cost.runs) continue;
          any_runs = true;
          if (in.capacity_bytes > 0 && cost.static_bytes_per_device + cost.activation_bytes_per_microbatch > in.capacity_bytes)
            continue;
          bounds.push_back(stage_time_s(cost, false));
          if (in.send_crosses_nodes) bounds.push_back(stage_time_s(cost, true));
        }
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    BoundedDp dp(in, m, prices);
    const double least_sum = dp.run(infinity);
    ++result.bounds_tried;
    if (least_sum == infinity) continue;
    auto consider = [&](const BoundedDp& solved) {
      const auto stages = solved.stages();
      PipelinePlan plan = make_plan(in, stages, m, memo);
      if (plan.pipeline_time_s < best_time) {
        best_time = plan.pipeline_time_s;
        result.plan = std::move(plan);
        result.stage_strategies.clear();
        for (const auto& stage : stages) result.stage_strategies.push_back(std::get<3>(stage));
      }
    };
    if (m == 1) {  // no bound matters: the step is the sum of the stage times
      consider(dp);
      continue;
    }
    // Below the smallest bound some pipeline meets nothing fits (more bounds allow more stages:
    // feasibility only grows), so start there, found by bisection.
    std::size_t lo = 0, hi = bounds.size() - 1;
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      ++result.bounds_tried;
      if (dp.run(bounds[mid]) == infinity) lo = mid + 1;
      else hi = mid;
    }
    const double waits = static_cast<double>(m - 1);
    for (std::size_t b = lo; b < bounds.size(); ++b) {
      const double bound = bounds[b];
      if (least_sum + waits * bound >= best_time) break;  // no pipeline bounded by this or more can win
      const double sum = dp.run(bound);
      ++result.bounds_tried;
      if (sum != infinity && sum + waits * bound < best_time) consider(dp);
    }
  }
  result.cost_evaluations = memo.evaluations;
  result.cost_lookups = memo.lookups;
  if (!result.plan) {
    result.nothing_fits =
        !any_runs ? "no stage of the " + std::to_string(L) + " layers runs on any of the stage device counts"
                  : "no cut of the " + std::to_string(L) + " layers into stages on " + std::to_string(in.devices) +
                        " devices fits " + std::to_string(in.capacity_bytes) +
                        " bytes a device with any of the micro-batch counts tried";
  }
  return result;
}

}  // namespace pase
