#pragma once
// Elimination orders for the DP: the paper's GenerateSeq (greedy, smallest dependent set first) and
// breadth-first for comparison.

#include <string>
#include <vector>

#include "pase/problem.hpp"

namespace pase {

enum class OrderKind { greedy, breadth_first };

// "greedy" or "bfs"; throws std::invalid_argument otherwise.
OrderKind parse_order_kind(const std::string& name);
std::string to_string(OrderKind kind);

// Undirected neighbour lists (sorted, no duplicates, no self loops) of the problem's graph.
std::vector<std::vector<int>> neighbour_lists(const Problem& problem);

// GenerateSeq: repeatedly takes the vertex whose dependent set (its neighbours in the graph where
// eliminated vertices connect their neighbours) is smallest, lowest index on ties.
std::vector<int> greedy_order(const std::vector<std::vector<int>>& neighbours);

// Breadth-first from vertex 0 (then from the lowest unvisited vertex), neighbours by index.
std::vector<int> breadth_first_order(const std::vector<std::vector<int>>& neighbours);

std::vector<int> elimination_order(const Problem& problem, OrderKind kind);

}  // namespace pase
