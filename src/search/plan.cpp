#include "pase/search/plan.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>

#include "pase/search/order.hpp"

namespace pase {

namespace {

void check_permutation(const std::vector<int>& order, int n) {
  if (static_cast<int>(order.size()) != n) throw std::invalid_argument("the order does not list every vertex");
  std::vector<bool> seen(n, false);
  for (int v : order) {
    if (v < 0 || v >= n || seen[v]) throw std::invalid_argument("the order is not a permutation of the vertices");
    seen[v] = true;
  }
}

// Dependent sets: the neighbours of each vertex when it is eliminated, eliminated vertices having
// joined their neighbours pairwise.
std::vector<std::vector<int>> dependent_sets(const std::vector<std::vector<int>>& neighbours,
                                             const std::vector<int>& order) {
  std::vector<std::set<int>> graph(neighbours.size());
  for (std::size_t v = 0; v < neighbours.size(); ++v) graph[v].insert(neighbours[v].begin(), neighbours[v].end());
  std::vector<std::vector<int>> dependents(neighbours.size());
  for (int x : order) {
    dependents[x].assign(graph[x].begin(), graph[x].end());
    for (int v : graph[x]) {
      graph[v].erase(x);
      for (int w : graph[x])
        if (w != v) graph[v].insert(w);
    }
    graph[x].clear();
  }
  return dependents;
}

unsigned argmin_width(std::size_t configs) {
  if (configs <= 256) return 1;
  if (configs <= 65536) return 2;
  return 4;
}

// Orders the dependent set for the kernel, outermost first: the split vertex, then the others
// chosen from the innermost out, each time the vertex that the fewest remaining factors depend on,
// so the innermost loop adds as few terms per cell as possible.
std::vector<int> loop_order(const Problem& problem, const std::vector<int>& dependents, int split_vertex,
                            std::vector<std::vector<int>> factor_scopes) {
  std::vector<int> remaining;
  for (int u : dependents)
    if (u != split_vertex) remaining.push_back(u);
  auto depends_on = [](int u) {
    return [u](const std::vector<int>& s) { return std::find(s.begin(), s.end(), u) != s.end(); };
  };
  std::vector<int> innermost_first;
  while (!remaining.empty()) {
    const auto best = std::min_element(remaining.begin(), remaining.end(), [&](int a, int b) {
      const auto ca = std::count_if(factor_scopes.begin(), factor_scopes.end(), depends_on(a));
      const auto cb = std::count_if(factor_scopes.begin(), factor_scopes.end(), depends_on(b));
      if (ca != cb) return ca < cb;
      if (problem.config_count(a) != problem.config_count(b))
        return problem.config_count(a) > problem.config_count(b);
      return a < b;
    });
    const int u = *best;
    remaining.erase(best);
    innermost_first.push_back(u);
    std::erase_if(factor_scopes, depends_on(u));
  }
  if (split_vertex >= 0) innermost_first.push_back(split_vertex);
  return {innermost_first.rbegin(), innermost_first.rend()};
}

int choose_split_vertex(const Problem& problem, const Plan& plan, int i, const std::vector<std::vector<int>>& dependents) {
  const PlanStep& step = plan.steps[i];
  const auto& deps = dependents[step.vertex];
  if (deps.empty()) return -1;
  if (deps.size() == 1) return deps[0];
  const int consumer = plan.steps[step.consumer_step].vertex;
  const int inherited = plan.steps[step.consumer_step].split_vertex;
  if (std::find(deps.begin(), deps.end(), inherited) != deps.end()) return inherited;
  int best = -1;
  std::uint64_t best_weight = 0;
  for (int u : deps) {
    if (u == consumer) continue;
    std::uint64_t weight = 0;
    for (int child : step.child_steps) {
      const auto& child_deps = dependents[plan.steps[child].vertex];
      if (std::find(child_deps.begin(), child_deps.end(), u) != child_deps.end())
        weight = saturating_add(weight, plan.steps[child].entries);
    }
    const bool better = best < 0 || weight > best_weight ||
                        (weight == best_weight && problem.config_count(u) > problem.config_count(best));
    if (better) {
      best = u;
      best_weight = weight;
    }
  }
  return best;
}

void add_memory_totals(Plan& plan) {
  PlanTotals& t = plan.totals;
  std::vector<std::uint64_t> table_bytes(plan.steps.size());
  std::uint64_t live = 0;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const PlanStep& step = plan.steps[i];
    table_bytes[i] = saturating_multiply(step.entries, sizeof(double));
    live = saturating_add(live, table_bytes[i]);
    t.argmin_bytes = saturating_add(t.argmin_bytes, saturating_multiply(step.entries, step.argmin_bytes_per_entry));
    t.peak_cost_table_bytes = std::max(t.peak_cost_table_bytes, live);
    t.peak_bytes = std::max(t.peak_bytes, saturating_add(live, t.argmin_bytes));
    for (int child : step.child_steps) live -= table_bytes[child];
  }
}

}  // namespace

Plan make_plan(const Problem& problem, const std::vector<int>& order) {
  const int n = problem.vertex_count();
  check_permutation(order, n);
  const auto neighbours = neighbour_lists(problem);
  const auto dependents = dependent_sets(neighbours, order);

  Plan plan;
  plan.order = order;
  plan.step_of_vertex.assign(n, -1);
  for (int i = 0; i < n; ++i) plan.step_of_vertex[order[i]] = i;

  plan.steps.resize(n);
  for (int i = 0; i < n; ++i) {
    PlanStep& step = plan.steps[i];
    step.vertex = order[i];
    const auto& deps = dependents[step.vertex];
    for (int u : neighbours[step.vertex])
      if (plan.step_of_vertex[u] > i) step.edge_neighbours.push_back(u);
    if (!deps.empty()) {
      const int consumer = *std::min_element(deps.begin(), deps.end(), [&](int a, int b) {
        return plan.step_of_vertex[a] < plan.step_of_vertex[b];
      });
      step.consumer_step = plan.step_of_vertex[consumer];
      plan.steps[step.consumer_step].child_steps.push_back(i);
    }
  }

  for (int i = 0; i < n; ++i) {
    PlanStep& step = plan.steps[i];
    const auto& deps = dependents[step.vertex];
    for (int u : deps) step.entries = saturating_multiply(step.entries, problem.config_count(u));
    step.cells = saturating_multiply(step.entries, problem.config_count(step.vertex));
    step.argmin_bytes_per_entry = argmin_width(problem.config_count(step.vertex));
    PlanTotals& t = plan.totals;
    t.dp_cells = saturating_add(t.dp_cells, step.cells);
    t.largest_table_entries = std::max(t.largest_table_entries, step.entries);
    t.largest_dependent_set = std::max(t.largest_dependent_set, static_cast<int>(deps.size()));
  }

  // From the roots down, so that every consumer has chosen its split vertex before its children.
  for (int i = n - 1; i >= 0; --i) {
    PlanStep& step = plan.steps[i];
    const auto& deps = dependents[step.vertex];
    step.split_vertex = choose_split_vertex(problem, plan, i, dependents);
    std::vector<std::vector<int>> factor_scopes;
    for (int u : step.edge_neighbours) factor_scopes.push_back({u});
    for (int child : step.child_steps) {
      std::vector<int> s;
      for (int u : dependents[plan.steps[child].vertex])
        if (u != step.vertex) s.push_back(u);
      factor_scopes.push_back(std::move(s));
    }
    step.loop = loop_order(problem, deps, step.split_vertex, factor_scopes);
    if (step.consumer_step >= 0) {
      const int consumer = plan.steps[step.consumer_step].vertex;
      step.scope.push_back(consumer);
      for (auto it = step.loop.rbegin(); it != step.loop.rend(); ++it)
        if (*it != consumer) step.scope.push_back(*it);
    }
  }
  add_memory_totals(plan);
  return plan;
}

}  // namespace pase
