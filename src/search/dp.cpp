#include "pase/search/dp.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>

#include "pase/search/kernel.hpp"

namespace pase {

namespace {

// Back-substitution table of one step: the best configuration of its vertex per table entry.
struct ArgminTable {
  unsigned width = 1;
  std::vector<std::uint8_t> bytes;

  void resize(std::uint64_t entries) { bytes.assign(entries * width, 0); }
  std::uint32_t at(std::uint64_t i) const {
    switch (width) {
      case 1: return bytes[i];
      case 2: return reinterpret_cast<const std::uint16_t*>(bytes.data())[i];
      default: return reinterpret_cast<const std::uint32_t*>(bytes.data())[i];
    }
  }
};

// The costs of every edge between `vertex` and `neighbour`, summed, laid out as
// [neighbour configuration][vertex configuration].
std::vector<double> edge_factor(const Problem& problem, int vertex, int neighbour) {
  const std::size_t kv = problem.config_count(vertex), ku = problem.config_count(neighbour);
  std::vector<double> m(ku * kv, 0.0);
  for (const auto& e : problem.edges) {
    if (e.from == neighbour && e.to == vertex) {
      for (std::size_t i = 0; i < ku * kv; ++i) m[i] += e.costs[i];
    } else if (e.from == vertex && e.to == neighbour) {
      for (std::size_t c = 0; c < kv; ++c)
        for (std::size_t u = 0; u < ku; ++u) m[u * kv + c] += e.costs[c * ku + u];
    }
  }
  return m;
}

std::vector<std::uint64_t> scope_strides(const Problem& problem, const std::vector<int>& scope) {
  std::vector<std::uint64_t> strides(scope.size());
  std::uint64_t s = 1;
  for (std::size_t i = 0; i < scope.size(); ++i) {
    strides[i] = s;
    s *= problem.config_count(scope[i]);
  }
  return strides;
}

// Strides per loop level of a table with the given scope, skipping `skip` (the fastest dimension,
// which is the eliminated vertex for a child table).
std::vector<std::uint64_t> strides_by_loop(const Problem& problem, const std::vector<int>& scope,
                                           const std::vector<int>& loop) {
  const auto strides = scope_strides(problem, scope);
  std::vector<std::uint64_t> by_loop(loop.size(), 0);
  for (std::size_t l = 0; l < loop.size(); ++l)
    for (std::size_t i = 0; i < scope.size(); ++i)
      if (scope[i] == loop[l]) by_loop[l] = strides[i];
  return by_loop;
}

int deepest_level(const std::vector<std::uint64_t>& strides) {
  int level = -1;
  for (std::size_t l = 0; l < strides.size(); ++l)
    if (strides[l] != 0) level = static_cast<int>(l);
  return level;
}

template <class Index>
void run_whole_table(const KernelInput& input, std::uint64_t entries, std::vector<double>& costs, ArgminTable& arg) {
  run_kernel<Index>(input, 0, entries, 0, costs.data(), reinterpret_cast<Index*>(arg.bytes.data()));
}

}  // namespace

Solution solve(const Problem& problem, const Plan& plan) {
  const int n = problem.vertex_count();
  std::vector<std::vector<double>> tables(n);
  std::vector<ArgminTable> argmins(n);
  Solution solution;
  solution.dp_cells = plan.totals.dp_cells;

  for (int i = 0; i < n; ++i) {
    const PlanStep& step = plan.steps[i];
    if (step.entries == std::numeric_limits<std::uint64_t>::max())
      throw std::runtime_error("a DP table is too large to index");
    KernelInput input;
    input.configs = problem.config_count(step.vertex);
    input.vertex_costs = problem.vertices[step.vertex].costs.data();
    for (int u : step.loop) input.extents.push_back(problem.config_count(u));
    input.out_strides = strides_by_loop(problem, step.scope, step.loop);

    std::vector<std::vector<double>> edge_data;
    edge_data.reserve(step.edge_neighbours.size());
    for (int u : step.edge_neighbours) {
      edge_data.push_back(edge_factor(problem, step.vertex, u));
      KernelFactor f;
      f.data = edge_data.back().data();
      f.strides = strides_by_loop(problem, {step.vertex, u}, step.loop);
      f.level = deepest_level(f.strides);
      input.factors.push_back(std::move(f));
    }
    for (int child : step.child_steps) {
      KernelFactor f;
      f.data = tables[child].data();
      f.strides = strides_by_loop(problem, plan.steps[child].scope, step.loop);
      f.level = deepest_level(f.strides);
      input.factors.push_back(std::move(f));
    }

    const auto start = std::chrono::steady_clock::now();
    tables[i].assign(step.entries, 0.0);
    argmins[i].width = step.argmin_bytes_per_entry;
    argmins[i].resize(step.entries);
    switch (step.argmin_bytes_per_entry) {
      case 1: run_whole_table<std::uint8_t>(input, step.entries, tables[i], argmins[i]); break;
      case 2: run_whole_table<std::uint16_t>(input, step.entries, tables[i], argmins[i]); break;
      default: run_whole_table<std::uint32_t>(input, step.entries, tables[i], argmins[i]); break;
    }
    if (step.cells > solution.largest_step_cells) {
      solution.largest_step_cells = step.cells;
      solution.largest_step_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    for (int child : step.child_steps) std::vector<double>().swap(tables[child]);
    if (step.consumer_step < 0) solution.dp_minimum += tables[i][0];
  }

  solution.configs.assign(n, 0);
  for (int i = n - 1; i >= 0; --i) {
    const PlanStep& step = plan.steps[i];
    const auto strides = scope_strides(problem, step.scope);
    std::uint64_t index = 0;
    for (std::size_t d = 0; d < step.scope.size(); ++d) index += strides[d] * solution.configs[step.scope[d]];
    solution.configs[step.vertex] = static_cast<int>(argmins[i].at(index));
  }
  solution.total_cost = evaluate(problem, solution.configs);
  return solution;
}

Solution brute_force(const Problem& problem, std::uint64_t limit) {
  const int n = problem.vertex_count();
  std::uint64_t combinations = 1;
  for (int v = 0; v < n; ++v) {
    combinations *= problem.config_count(v);
    if (combinations > limit) throw std::invalid_argument("too many combinations for exhaustive search");
  }
  Solution best;
  best.total_cost = std::numeric_limits<double>::infinity();
  std::vector<int> configs(n, 0);
  for (std::uint64_t k = 0; k < combinations; ++k) {
    const double cost = evaluate(problem, configs);
    if (cost < best.total_cost) {
      best.total_cost = cost;
      best.configs = configs;
    }
    for (int v = n - 1; v >= 0; --v) {
      if (++configs[v] < static_cast<int>(problem.config_count(v))) break;
      configs[v] = 0;
    }
  }
  best.dp_minimum = best.total_cost;
  best.dp_cells = combinations;
  return best;
}

}  // namespace pase
