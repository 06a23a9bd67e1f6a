#include "pase/search/blocks.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "pase/search/dp.hpp"
#include "pase/search/order.hpp"
#include "pase/search/plan.hpp"
#include "pase/saturating.hpp"

namespace pase {

// The eliminated interior of a piece: its sub-problem (local vertex 0 is s, 1 is t, then the
// interior), the plan whose first steps eliminate the interior, and their back-substitution tables.
struct SolvedBlock {
  Problem local;
  Plan plan;
  int interior_steps = 0;
  std::vector<ArgminTable> argmin;  // per interior step, whole
};

namespace {

// Biconnected components (as vertex sets) of the undirected simple graph, iteratively (Tarjan).
std::vector<std::vector<int>> biconnected_components(const std::vector<std::vector<int>>& nb) {
  const int n = static_cast<int>(nb.size());
  std::vector<int> disc(n, -1), low(n, 0);
  std::vector<std::pair<int, int>> edge_stack;
  std::vector<std::vector<int>> components;
  int time = 0;
  struct Frame { int v, parent; std::size_t next; };
  for (int root = 0; root < n; ++root) {
    if (disc[root] >= 0) continue;
    std::vector<Frame> stack{{root, -1, 0}};
    disc[root] = low[root] = time++;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next < nb[f.v].size()) {
        const int w = nb[f.v][f.next++];
        if (w == f.parent) continue;
        if (disc[w] < 0) {
          edge_stack.emplace_back(f.v, w);
          disc[w] = low[w] = time++;
          stack.push_back({w, f.v, 0});
        } else if (disc[w] < disc[f.v]) {
          edge_stack.emplace_back(f.v, w);
          low[f.v] = std::min(low[f.v], disc[w]);
        }
        continue;
      }
      const int v = f.v, parent = f.parent;
      stack.pop_back();
      if (parent < 0) continue;
      low[parent] = std::min(low[parent], low[v]);
      if (low[v] >= disc[parent]) {
        std::set<int> vertices;
        for (;;) {
          const auto e = edge_stack.back();
          edge_stack.pop_back();
          vertices.insert(e.first);
          vertices.insert(e.second);
          if (e.first == parent && e.second == v) break;
        }
        components.emplace_back(vertices.begin(), vertices.end());
      }
    }
  }
  return components;
}

struct Piece {
  int s = 0, t = 0;
  std::vector<int> interior;  // ascending original indices
};

// Local vertices: s, t, then the interior; edges with an interior end, in the problem's order.
Problem local_problem(const Problem& problem, const Piece& piece, const std::vector<int>& local_of) {
  Problem local;
  local.vertices.push_back({"s", std::vector<double>(problem.config_count(piece.s), 0.0)});
  local.vertices.push_back({"t", std::vector<double>(problem.config_count(piece.t), 0.0)});
  for (int v : piece.interior) local.vertices.push_back(problem.vertices[v]);
  auto inside = [&](int v) { return v == piece.s || v == piece.t || local_of[v] >= 2; };
  for (const auto& e : problem.edges) {
    if (!inside(e.from) || !inside(e.to)) continue;
    if (local_of[e.from] < 2 && local_of[e.to] < 2) continue;  // an edge between the terminals stays outside
    local.edges.push_back({local_of[e.from], local_of[e.to], e.costs});
  }
  return local;
}

// Min-degree by table entries over the interior only; the terminals go last (s, then t).
std::vector<int> interior_order(const Problem& local) {
  const int n = local.vertex_count();
  const auto nb = neighbour_lists(local);
  std::vector<std::set<int>> graph(n);
  for (int v = 0; v < n; ++v) graph[v].insert(nb[v].begin(), nb[v].end());
  std::vector<bool> done(n, false);
  std::vector<int> order;
  for (int step = 2; step < n; ++step) {
    int best = -1;
    std::uint64_t best_entries = 0;
    for (int v = 2; v < n; ++v) {
      if (done[v]) continue;
      std::uint64_t entries = 1;
      for (int u : graph[v]) entries = saturating_multiply(entries, local.config_count(u));
      if (best < 0 || entries < best_entries) {
        best = v;
        best_entries = entries;
      }
    }
    done[best] = true;
    order.push_back(best);
    eliminate_vertex(graph, best);
  }
  order.push_back(0);
  order.push_back(1);
  return order;
}

struct StopAfter final : DpListener {
  int steps = 0;
  DpState captured;
  bool after_step(const DpState& state) override {
    if (state.steps_done < steps) return false;
    captured = state;
    return true;
  }
};

// Eliminates the interior: the matrix over (s, t) and the back-substitution tables.
std::pair<std::shared_ptr<SolvedBlock>, CostMatrix> solve_block(Problem local, int threads) {
  auto block = std::make_shared<SolvedBlock>();
  block->local = std::move(local);
  const Problem& p = block->local;
  block->plan = make_plan(p, interior_order(p));
  block->interior_steps = p.vertex_count() - 2;
  StopAfter stop;
  stop.steps = block->interior_steps;
  SingleProcess single;
  DpOptions options;
  options.threads = threads;
  try {
    solve(p, block->plan, options, single, nullptr, &stop);
    throw std::logic_error("solve_block: the DP did not stop after the interior");
  } catch (const SearchInterrupted&) {
  }
  const std::size_t ks = p.config_count(0), kt = p.config_count(1);
  auto matrix = std::make_shared<std::vector<double>>(ks * kt, 0.0);
  for (int i = 0; i < block->interior_steps; ++i) {
    const PlanStep& step = block->plan.steps[i];
    if (step.consumer_step < block->interior_steps) continue;
    const auto strides = scope_strides(p, step.scope);
    const std::vector<double>& table = stop.captured.steps[i].costs;
    for (std::size_t a = 0; a < ks; ++a)
      for (std::size_t b = 0; b < kt; ++b) {
        std::uint64_t index = 0;
        for (std::size_t d = 0; d < step.scope.size(); ++d) index += strides[d] * (step.scope[d] == 0 ? a : b);
        (*matrix)[a * kt + b] += table[index];
      }
  }
  for (int i = 0; i < block->interior_steps; ++i) block->argmin.push_back(std::move(stop.captured.steps[i].argmin));
  return {block, matrix};
}

// Everything that makes two pieces eliminate alike, compared exactly: the terminals' configuration
// counts, the interior's costs, and the edges (local ends, matrix content by a canonical id).
using PieceKey = std::tuple<std::size_t, std::size_t, std::vector<std::vector<double>>, std::vector<std::tuple<int, int, int>>>;

class MatrixIds {
 public:
  int id(const CostMatrix& m) {
    if (auto it = by_pointer_.find(m.get()); it != by_pointer_.end()) return it->second;
    auto& same = by_content_[*m];
    if (same == 0) same = static_cast<int>(by_content_.size());
    by_pointer_[m.get()] = same;
    return same;
  }

 private:
  std::map<const void*, int> by_pointer_;
  std::map<std::vector<double>, int> by_content_;
};

PieceKey key_of(const Problem& local, MatrixIds& ids) {
  PieceKey key{local.config_count(0), local.config_count(1), {}, {}};
  for (int v = 2; v < local.vertex_count(); ++v) std::get<2>(key).push_back(local.vertices[v].costs);
  for (const auto& e : local.edges) std::get<3>(key).emplace_back(e.from, e.to, ids.id(e.costs));
  return key;
}

}  // namespace

const char* to_string(BlockMode mode) { return mode == BlockMode::automatic ? "auto" : "none"; }

BlockMode parse_block_mode(const std::string& text) {
  if (text == "auto") return BlockMode::automatic;
  if (text == "none") return BlockMode::never;
  throw std::invalid_argument("expected auto or none, got '" + text + "'");
}

std::vector<int> BlockReduction::expand(const std::vector<int>& reduced_configs, int original_vertices) const {
  std::vector<int> out(original_vertices, 0);
  for (std::size_t r = 0; r < reduced_configs.size(); ++r) out[original_vertex[r]] = reduced_configs[r];
  std::vector<int> local;
  for (const ReducedBlock& b : blocks) {
    const SolvedBlock& solved = *b.solved;
    local.assign(solved.local.vertex_count(), 0);
    local[0] = out[b.s];
    local[1] = out[b.t];
    for (int i = solved.interior_steps - 1; i >= 0; --i) {
      const PlanStep& step = solved.plan.steps[i];
      const auto strides = scope_strides(solved.local, step.scope);
      std::uint64_t index = 0;
      for (std::size_t d = 0; d < step.scope.size(); ++d) index += strides[d] * local[step.scope[d]];
      local[step.vertex] = static_cast<int>(solved.argmin[i].at(index));
    }
    for (std::size_t k = 0; k < b.interior.size(); ++k) out[b.interior[k]] = local[k + 2];
  }
  return out;
}

BlockReduction reduce_blocks(const Problem& problem, int threads) {
  const auto start = std::chrono::steady_clock::now();
  const int n = problem.vertex_count();
  const auto nb = neighbour_lists(problem);
  const auto components = biconnected_components(nb);
  std::vector<int> membership(n, 0);
  for (const auto& c : components)
    for (int v : c) ++membership[v];
  std::vector<Piece> pieces;
  for (const auto& c : components) {
    Piece piece;
    std::vector<int> cut;
    for (int v : c) (membership[v] > 1 ? cut : piece.interior).push_back(v);
    if (cut.size() != 2 || piece.interior.empty()) continue;
    piece.s = cut[0];
    piece.t = cut[1];
    pieces.push_back(std::move(piece));
  }

  std::vector<int> local_of(n, -1);
  MatrixIds ids;
  std::map<PieceKey, std::vector<std::pair<Piece, Problem>>> groups;
  for (Piece& piece : pieces) {
    local_of[piece.s] = 0;
    local_of[piece.t] = 1;
    for (std::size_t k = 0; k < piece.interior.size(); ++k) local_of[piece.interior[k]] = static_cast<int>(k) + 2;
    Problem local = local_problem(problem, piece, local_of);
    local_of[piece.s] = local_of[piece.t] = -1;
    for (int v : piece.interior) local_of[v] = -1;
    groups[key_of(local, ids)].emplace_back(std::move(piece), std::move(local));
  }

  BlockReduction result;
  std::vector<bool> removed(n, false);
  std::vector<std::pair<int, int>> new_edges;  // (s, t) per reduced block, with its matrix
  std::vector<CostMatrix> new_matrices;
  for (auto& [key, members] : groups) {
    if (members.size() < 2) continue;
    auto [solved, matrix] = solve_block(members.front().second, threads);
    ++result.distinct_blocks;
    for (int i = 0; i < solved->interior_steps; ++i)
      result.reduction_cells = saturating_add(result.reduction_cells, solved->plan.steps[i].cells);
    for (auto& [piece, local] : members) {
      for (int v : piece.interior) removed[v] = true;
      new_edges.emplace_back(piece.s, piece.t);
      new_matrices.push_back(matrix);
      result.blocks.push_back({piece.s, piece.t, piece.interior, solved});
    }
    result.matrix_bytes += matrix->size() * sizeof(double);
  }
  if (result.blocks.empty()) return {};

  std::vector<int> reduced_of(n, -1);
  for (int v = 0; v < n; ++v) {
    if (removed[v]) continue;
    reduced_of[v] = result.problem.vertex_count();
    result.original_vertex.push_back(v);
    result.problem.vertices.push_back(problem.vertices[v]);
  }
  for (const auto& e : problem.edges)
    if (!removed[e.from] && !removed[e.to]) result.problem.edges.push_back({reduced_of[e.from], reduced_of[e.to], e.costs});
  for (std::size_t i = 0; i < new_edges.size(); ++i)
    result.problem.edges.push_back({reduced_of[new_edges[i].first], reduced_of[new_edges[i].second], new_matrices[i]});
  result.reduction_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

BlockReduction reduce_repeated_blocks(BlockMode mode, const Problem& problem, PlannedOrder& planned, OrderKind order,
                                      int threads) {
  if (mode == BlockMode::never) return {};
  BlockReduction reduction = reduce_blocks(problem, threads);
  if (!reduction.reduced_any()) return {};
  reduction.dp_cells_before = planned.plan.totals.dp_cells;
  PlannedOrder reduced = plan_in_order(reduction.problem, order);
  if (saturating_add(reduced.plan.totals.dp_cells, reduction.reduction_cells) >= planned.plan.totals.dp_cells) return {};
  planned = std::move(reduced);
  return reduction;
}

}  // namespace pase
