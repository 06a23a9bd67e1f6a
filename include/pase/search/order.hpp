#pragma once
// Elimination orders for the DP: the paper's GenerateSeq (greedy, smallest dependent set first),
// two orders that minimise the actual table sizes (weighted min-degree, min-fill) and breadth-first
// for comparison. `automatic` (--order auto) is resolved by planning the candidates (order_choice.hpp).

#include <set>
#include <string>
#include <vector>

#include "pase/problem.hpp"

namespace pase {

enum class OrderKind { greedy, breadth_first, weighted, min_fill, automatic };

// "greedy", "bfs", "weighted", "minfill" or "auto"; throws std::invalid_argument otherwise.
OrderKind parse_order_kind(const std::string& name);
std::string to_string(OrderKind kind);

// Undirected neighbour lists (sorted, no duplicates, no self loops) of the problem's graph.
std::vector<std::vector<int>> neighbour_lists(const Problem& problem);

// GenerateSeq: repeatedly takes the vertex whose dependent set (its neighbours in the graph where
// eliminated vertices connect their neighbours) is smallest, lowest index on ties.
std::vector<int> greedy_order(const std::vector<std::vector<int>>& neighbours);

// Breadth-first from vertex 0 (then from the lowest unvisited vertex), neighbours by index.
std::vector<int> breadth_first_order(const std::vector<std::vector<int>>& neighbours);

// Weighted min-degree: repeatedly takes the vertex whose dependent set has the smallest product of
// configuration counts (the entries of the table it produces; saturating), lowest index on ties.
std::vector<int> weighted_order(const std::vector<std::vector<int>>& neighbours,
                                const std::vector<std::size_t>& config_counts);

// Min-fill: repeatedly takes the vertex whose elimination adds the fewest edges between its
// not yet joined neighbours; ties by the weighted degree above, then by the lowest index.
std::vector<int> min_fill_order(const std::vector<std::vector<int>>& neighbours,
                                const std::vector<std::size_t>& config_counts);

// Eliminates v from the graph: joins its neighbours pairwise and removes it.
void eliminate_vertex(std::vector<std::set<int>>& graph, int v);

// Any kind but `automatic` (throws std::invalid_argument: use plan_in_order).
std::vector<int> elimination_order(const Problem& problem, OrderKind kind);

}  // namespace pase
