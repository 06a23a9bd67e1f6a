#include "pase/search/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace pase {

namespace {

// Whether vertex v in configuration c recomputes under multiplier lambda (ties keep the activations).
bool recomputes(const VertexMemory& m, std::size_t c, double lambda) {
  return m.recompute_cost[c] + lambda * m.recompute_resident[c] < lambda * m.resident[c];
}

double resident_of(const VertexMemory& m, std::size_t c, bool recompute) {
  return recompute ? m.recompute_resident[c] : m.resident[c];
}

double strategy_cost(const Problem& problem, const MemoryConstraint& memory, const std::vector<int>& configs,
                     const std::vector<char>& recompute) {
  double cost = evaluate(problem, configs);
  for (int v = 0; v < problem.vertex_count(); ++v)
    if (recompute[v]) cost += memory.vertices[v].recompute_cost[configs[v]];
  return cost;
}

void validate(const Problem& problem, const MemoryConstraint& memory) {
  if (static_cast<int>(memory.vertices.size()) != problem.vertex_count())
    throw std::invalid_argument("memory constraint: one entry per vertex needed");
  for (int v = 0; v < problem.vertex_count(); ++v) {
    const VertexMemory& m = memory.vertices[v];
    const std::size_t k = problem.config_count(v);
    if (m.resident.size() != k || m.recompute_resident.size() != k || m.recompute_cost.size() != k ||
        m.buffer.size() != k)
      throw std::invalid_argument("memory constraint: vertex '" + problem.vertices[v].name +
                                  "' needs one entry per configuration");
    for (std::size_t c = 0; c < k; ++c)
      if (!(m.recompute_cost[c] >= 0) || !std::isfinite(m.resident[c]) || !std::isfinite(m.recompute_resident[c]) ||
          !std::isfinite(m.buffer[c]))
        throw std::invalid_argument("memory constraint: vertex '" + problem.vertices[v].name +
                                    "' has a negative recomputation cost or a non-finite size");
  }
}

// The strategy of least peak, exactly: for each candidate largest buffer T (one of the buffers), each
// vertex takes its least resident bytes among the configurations whose buffer is at most T.
struct Smallest {
  double peak = std::numeric_limits<double>::infinity();
  std::vector<int> configs;
  std::vector<char> recompute;
  double least_largest_buffer = 0;  // every strategy's largest buffer is at least this
};

Smallest smallest_strategy(const Problem& problem, const MemoryConstraint& memory) {
  const int n = problem.vertex_count();
  struct Sorted {
    std::vector<double> buffer;    // ascending
    std::vector<double> best;      // prefix minimum of the resident bytes
    std::vector<int> best_config;  // and where it is
  };
  std::vector<Sorted> sorted(n);
  std::vector<double> thresholds;
  Smallest s;
  for (int v = 0; v < n; ++v) {
    const VertexMemory& m = memory.vertices[v];
    std::vector<int> order(problem.config_count(v));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return m.buffer[a] < m.buffer[b]; });
    Sorted& out = sorted[v];
    for (int c : order) {
      const double bytes = std::min(m.resident[c], m.recompute_resident[c]);
      out.buffer.push_back(m.buffer[c]);
      if (out.best.empty() || bytes < out.best.back()) {
        out.best.push_back(bytes);
        out.best_config.push_back(c);
      } else {
        out.best.push_back(out.best.back());
        out.best_config.push_back(out.best_config.back());
      }
      thresholds.push_back(m.buffer[c]);
    }
    if (!out.buffer.empty()) s.least_largest_buffer = std::max(s.least_largest_buffer, out.buffer.front());
  }
  std::sort(thresholds.begin(), thresholds.end());
  thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
  double best_threshold = -1;
  for (double t : thresholds) {
    if (t < s.least_largest_buffer) continue;
    double peak = memory.fixed_bytes + t;
    for (int v = 0; v < n; ++v) {
      const auto& b = sorted[v].buffer;
      const auto at = std::upper_bound(b.begin(), b.end(), t) - b.begin() - 1;
      peak += sorted[v].best[at];
    }
    if (peak < s.peak) {
      s.peak = peak;
      best_threshold = t;
    }
  }
  s.configs.resize(n);
  s.recompute.resize(n);
  for (int v = 0; v < n; ++v) {
    const auto& b = sorted[v].buffer;
    const auto at = std::upper_bound(b.begin(), b.end(), best_threshold) - b.begin() - 1;
    const int c = sorted[v].best_config[at];
    s.configs[v] = c;
    s.recompute[v] = memory.vertices[v].recompute_resident[c] < memory.vertices[v].resident[c];
  }
  if (n > 0) s.peak = peak_bytes(memory, s.configs, s.recompute);
  return s;
}

// Improves a strategy that fits by moving one vertex at a time (configuration and recomputation
// choice) to the cheapest alternative that still fits, until no move helps (first improvement).
void improve_locally(const Problem& problem, const MemoryConstraint& memory, std::vector<int>& configs,
                     std::vector<char>& recompute) {
  const int n = problem.vertex_count();
  std::vector<std::vector<const ProblemEdge*>> incident(n);
  for (const ProblemEdge& e : problem.edges) {
    incident[e.from].push_back(&e);
    if (e.to != e.from) incident[e.to].push_back(&e);
  }
  auto local_cost = [&](int v, int c, bool r) {
    double cost = problem.vertices[v].costs[c] + (r ? memory.vertices[v].recompute_cost[c] : 0.0);
    for (const ProblemEdge* e : incident[v]) {
      const int i = e->from == v ? c : configs[e->from], j = e->to == v ? c : configs[e->to];
      cost += e->cost(i, j, problem.config_count(e->to));
    }
    return cost;
  };
  for (int round = 0; round < 100; ++round) {
    bool moved = false;
    for (int v = 0; v < n; ++v) {
      const int c0 = configs[v];
      const char r0 = recompute[v];
      double best = local_cost(v, c0, r0);
      for (int c = 0; c < static_cast<int>(problem.config_count(v)); ++c)
        for (char r : {char{0}, char{1}}) {
          const double cost = local_cost(v, c, r);
          if (!(cost < best - 1e-12 * std::abs(best))) continue;
          const int old_c = configs[v];
          const char old_r = recompute[v];
          configs[v] = c;
          recompute[v] = r;
          if (peak_bytes(memory, configs, recompute) <= memory.capacity_bytes) {
            best = cost;
            moved = true;
          } else {
            configs[v] = old_c;
            recompute[v] = old_r;
          }
        }
    }
    if (!moved) break;
  }
}

}  // namespace

double peak_bytes(const MemoryConstraint& memory, const std::vector<int>& configs, const std::vector<char>& recompute) {
  double resident = 0, largest_buffer = 0;
  for (std::size_t v = 0; v < configs.size(); ++v) {
    const VertexMemory& m = memory.vertices[v];
    resident += resident_of(m, configs[v], recompute[v]);
    largest_buffer = std::max(largest_buffer, m.buffer[configs[v]]);
  }
  return memory.fixed_bytes + resident + largest_buffer;
}

CapacitySolution solve_within_capacity(const Problem& problem, const MemoryConstraint& memory, const ExactSolver& solve,
                                       const CapacityOptions& options) {
  validate(problem, memory);
  const int n = problem.vertex_count();
  CapacitySolution out;
  const Smallest smallest = smallest_strategy(problem, memory);
  out.smallest_peak_bytes = smallest.peak;
  const double lagrangian_capacity = memory.capacity_bytes - memory.fixed_bytes - smallest.least_largest_buffer;

  bool have_incumbent = false;
  auto consider = [&](const std::vector<int>& configs, const std::vector<char>& recompute) {
    const double peak = peak_bytes(memory, configs, recompute);
    if (peak > memory.capacity_bytes) return false;
    const double cost = strategy_cost(problem, memory, configs, recompute);
    if (!have_incumbent || cost < out.cost) {
      out.configs = configs;
      out.recompute = recompute;
      out.cost = cost;
      out.peak_bytes = peak;
      have_incumbent = true;
    }
    return true;
  };
  double bound = -std::numeric_limits<double>::infinity();
  // One exact DP of cost + lambda * resident; returns whether its strategy fits and its resident bytes.
  auto relax = [&](double lambda, double& resident) {
    Problem relaxed = problem;
    for (int v = 0; v < n; ++v) {
      const VertexMemory& m = memory.vertices[v];
      for (std::size_t c = 0; c < relaxed.vertices[v].costs.size(); ++c) {
        const bool r = recomputes(m, c, lambda);
        relaxed.vertices[v].costs[c] += (r ? m.recompute_cost[c] : 0.0) + lambda * resident_of(m, c, r);
      }
    }
    const Solution s = solve(relaxed);
    ++out.dp_solves;
    std::vector<char> recompute(n);
    resident = 0;
    for (int v = 0; v < n; ++v) {
      recompute[v] = recomputes(memory.vertices[v], s.configs[v], lambda);
      resident += resident_of(memory.vertices[v], s.configs[v], recompute[v]);
    }
    bound = std::max(bound, evaluate(relaxed, s.configs) - lambda * lagrangian_capacity);
    const double cost = strategy_cost(problem, memory, s.configs, recompute);
    if (!consider(s.configs, recompute)) return std::pair{false, cost};
    std::vector<int> configs = s.configs;
    improve_locally(problem, memory, configs, recompute);
    consider(configs, recompute);
    return std::pair{true, cost};
  };

  double resident = 0;
  const auto [fits, cost0] = relax(0.0, resident);
  if (fits) {
    out.feasible = out.unconstrained_fits = true;
    out.lower_bound = out.cost;
    return out;
  }
  if (smallest.peak > memory.capacity_bytes) {
    out.configs = smallest.configs;
    out.recompute = smallest.recompute;
    out.peak_bytes = smallest.peak;
    out.cost = strategy_cost(problem, memory, out.configs, out.recompute);
    return out;
  }
  out.feasible = true;
  std::vector<int> configs = smallest.configs;
  std::vector<char> recompute = smallest.recompute;
  improve_locally(problem, memory, configs, recompute);
  consider(configs, recompute);
  // Grow lambda until the relaxation's strategy fits, from the multiplier at which memory weighs as
  // much as cost, then bisect it geometrically.
  double lo = 0, hi = 0;
  double lambda = std::max(cost0, 1e-300) / std::max(resident, 1.0);
  while (out.dp_solves < options.max_solves) {
    if (relax(lambda, resident).first) {
      hi = lambda;
      break;
    }
    lo = lambda;
    lambda *= 8;
  }
  while (hi > 0 && out.dp_solves < options.max_solves && out.cost - bound > options.relative_gap_goal * out.cost) {
    const double mid = lo > 0 ? std::sqrt(lo * hi) : hi / 8;
    if (!(mid < hi) || (lo > 0 && hi / lo < 1 + options.multiplier_ratio_goal)) break;
    (relax(mid, resident).first ? hi : lo) = mid;
  }
  out.lower_bound = std::min(bound, out.cost);
  return out;
}

CapacitySolution brute_force_within_capacity(const Problem& problem, const MemoryConstraint& memory) {
  validate(problem, memory);
  const int n = problem.vertex_count();
  CapacitySolution out;
  out.smallest_peak_bytes = std::numeric_limits<double>::infinity();
  std::vector<int> configs(n, 0);
  std::vector<char> recompute(n, 0);
  double best = std::numeric_limits<double>::infinity();
  // Odometer over configuration and flag of every vertex.
  while (true) {
    const double peak = peak_bytes(memory, configs, recompute);
    out.smallest_peak_bytes = std::min(out.smallest_peak_bytes, peak);
    if (peak <= memory.capacity_bytes) {
      const double cost = strategy_cost(problem, memory, configs, recompute);
      if (cost < best) {
        best = cost;
        out.feasible = true;
        out.configs = configs;
        out.recompute = recompute;
        out.cost = out.lower_bound = cost;
        out.peak_bytes = peak;
      }
    }
    int v = 0;
    for (; v < n; ++v) {
      if (!recompute[v]) {
        recompute[v] = 1;
        break;
      }
      recompute[v] = 0;
      if (++configs[v] < static_cast<int>(problem.config_count(v))) break;
      configs[v] = 0;
    }
    if (v == n) break;
  }
  return out;
}

}  // namespace pase
