#include "pase/search/order.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <stdexcept>

namespace pase {

OrderKind parse_order_kind(const std::string& name) {
  if (name == "greedy") return OrderKind::greedy;
  if (name == "bfs") return OrderKind::breadth_first;
  throw std::invalid_argument("--order: unknown order '" + name + "'; use 'greedy' or 'bfs'");
}

std::string to_string(OrderKind kind) { return kind == OrderKind::greedy ? "greedy" : "bfs"; }

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
  return kind == OrderKind::greedy ? greedy_order(neighbours) : breadth_first_order(neighbours);
}

}  // namespace pase
