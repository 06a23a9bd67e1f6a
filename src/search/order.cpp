#include "pase/search/order.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <iterator>
#include <set>
#include <stdexcept>
#include <utility>

#include "pase/saturating.hpp"

namespace pase {

OrderKind parse_order_kind(const std::string& name) {
  if (name == "greedy") return OrderKind::greedy;
  if (name == "bfs") return OrderKind::breadth_first;
  if (name == "weighted") return OrderKind::weighted;
  if (name == "minfill") return OrderKind::min_fill;
  if (name == "auto") return OrderKind::automatic;
  throw std::invalid_argument("--order: unknown order '" + name +
                              "'; use 'greedy', 'weighted', 'minfill', 'auto' or 'bfs'");
}

std::string to_string(OrderKind kind) {
  switch (kind) {
    case OrderKind::greedy: return "greedy";
    case OrderKind::breadth_first: return "bfs";
    case OrderKind::weighted: return "weighted";
    case OrderKind::min_fill: return "minfill";
    case OrderKind::automatic: return "auto";
  }
  return "?";
}

std::vector<std::vector<int>> neighbour_lists(const Problem& problem) {
  std::vector<std::vector<int>> neighbours(problem.vertex_count());
  for (const auto& e : problem.edges) {
    neighbours[e.from].push_back(e.to);
    neighbours[e.to].push_back(e.from);
  }
  for (auto& list : neighbours) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return neighbours;
}

std::vector<int> greedy_order(const std::vector<std::vector<int>>& neighbours) {
  const int n = static_cast<int>(neighbours.size());
  std::vector<std::set<int>> graph(n);
  for (int v = 0; v < n; ++v) graph[v].insert(neighbours[v].begin(), neighbours[v].end());

  std::set<std::pair<std::size_t, int>> by_degree;  // (dependent set size, vertex)
  for (int v = 0; v < n; ++v) by_degree.emplace(graph[v].size(), v);

  std::vector<int> order;
  order.reserve(n);
  while (!by_degree.empty()) {
    const int x = by_degree.begin()->second;
    by_degree.erase(by_degree.begin());
    order.push_back(x);
    for (int v : graph[x]) {
      by_degree.erase({graph[v].size(), v});
      graph[v].erase(x);
      for (int w : graph[x])
        if (w != v) graph[v].insert(w);
      by_degree.emplace(graph[v].size(), v);
    }
  }
  return order;
}

namespace {

using Graph = std::vector<std::set<int>>;

std::uint64_t table_entries(const std::set<int>& dependent_set, const std::vector<std::size_t>& config_counts) {
  std::uint64_t entries = 1;
  for (int v : dependent_set) entries = saturating_multiply(entries, config_counts[v]);
  return entries;
}

std::uint64_t fill_edges(const Graph& graph, int v) {
  std::uint64_t fill = 0;
  for (auto a = graph[v].begin(); a != graph[v].end(); ++a)
    for (auto b = std::next(a); b != graph[v].end(); ++b)
      if (!graph[*a].count(*b)) ++fill;
  return fill;
}

// Eliminates, one at a time, the remaining vertex with the smallest key(graph, v), lowest index on
// ties, joining its neighbours. Scans every remaining vertex each step: O(n^2) key evaluations.
template <typename Key>
std::vector<int> smallest_key_order(const std::vector<std::vector<int>>& neighbours, Key key) {
  const int n = static_cast<int>(neighbours.size());
  Graph graph(n);
  for (int v = 0; v < n; ++v) graph[v].insert(neighbours[v].begin(), neighbours[v].end());
  std::vector<bool> eliminated(n, false);
  std::vector<int> order;
  order.reserve(n);
  for (int step = 0; step < n; ++step) {
    int best = -1;
    decltype(key(graph, 0)) best_key{};
    for (int v = 0; v < n; ++v) {
      if (eliminated[v]) continue;
      const auto k = key(graph, v);
      if (best < 0 || k < best_key) best = v, best_key = k;
    }
    eliminated[best] = true;
    order.push_back(best);
    eliminate_vertex(graph, best);
  }
  return order;
}

}  // namespace

std::vector<int> weighted_order(const std::vector<std::vector<int>>& neighbours,
                                const std::vector<std::size_t>& config_counts) {
  return smallest_key_order(neighbours,
                            [&](const Graph& graph, int v) { return table_entries(graph[v], config_counts); });
}

std::vector<int> min_fill_order(const std::vector<std::vector<int>>& neighbours,
                                const std::vector<std::size_t>& config_counts) {
  return smallest_key_order(neighbours, [&](const Graph& graph, int v) {
    return std::make_pair(fill_edges(graph, v), table_entries(graph[v], config_counts));
  });
}

std::vector<int> breadth_first_order(const std::vector<std::vector<int>>& neighbours) {
  const int n = static_cast<int>(neighbours.size());
  std::vector<bool> seen(n, false);
  std::vector<int> order;
  order.reserve(n);
  for (int start = 0; start < n; ++start) {
    if (seen[start]) continue;
    std::deque<int> queue{start};
    seen[start] = true;
    while (!queue.empty()) {
      const int v = queue.front();
      queue.pop_front();
      order.push_back(v);
      for (int w : neighbours[v])
        if (!seen[w]) {
          seen[w] = true;
          queue.push_back(w);
        }
    }
  }
  return order;
}

std::vector<int> elimination_order(const Problem& problem, OrderKind kind) {
  const auto neighbours = neighbour_lists(problem);
  std::vector<std::size_t> config_counts(problem.vertex_count());
  for (int v = 0; v < problem.vertex_count(); ++v) config_counts[v] = problem.config_count(v);
  switch (kind) {
    case OrderKind::greedy: return greedy_order(neighbours);
    case OrderKind::breadth_first: return breadth_first_order(neighbours);
    case OrderKind::weighted: return weighted_order(neighbours, config_counts);
    case OrderKind::min_fill: return min_fill_order(neighbours, config_counts);
    case OrderKind::automatic: break;
  }
  throw std::invalid_argument("elimination_order: 'auto' is resolved by planning; use plan_in_order");
}

void eliminate_vertex(std::vector<std::set<int>>& graph, int v) {
  for (int u : graph[v]) {
    graph[u].erase(v);
    for (int w : graph[v])
      if (w != u) graph[u].insert(w);
  }
  graph[v].clear();
}

}  // namespace pase
