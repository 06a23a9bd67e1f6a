#include "pase/search/dominance.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace pase {

namespace {

// A strict dominance must win by this fraction of the magnitudes summed, far above the rounding
// error of the DP's sums, so that float rounding can never make a pruned configuration optimal.
constexpr double kMargin = 1e-9;

// One edge seen from vertex v: row(a) holds the edge's costs with v in configuration a. When v is
// the edge's `to` end the matrix is transposed into `transposed`, so rows are contiguous either way.
struct EdgeRows {
  const double* rows = nullptr;
  std::size_t width = 0;  // the other end's configurations
  std::vector<double> transposed;
  std::vector<double> row_min, row_max, row_mean, row_abs;
  std::vector<std::uint32_t> row_argmin;  // the first column holding row_min: a's first witness

  const double* row(std::size_t a) const { return rows + a * width; }
};

EdgeRows rows_of(const Problem& problem, const ProblemEdge& e, int v) {
  const std::size_t from_k = problem.config_count(e.from), to_k = problem.config_count(e.to);
  EdgeRows r;
  std::size_t k;
  if (e.from == v) {
    k = from_k;
    r.width = to_k;
    r.rows = e.costs->data();
  } else {
    k = to_k;
    r.width = from_k;
    r.transposed.resize(e.costs->size());
    const std::vector<double>& m = *e.costs;
    constexpr std::size_t tile = 64;  // a tile of each side stays in cache
    for (std::size_t i0 = 0; i0 < from_k; i0 += tile)
      for (std::size_t j0 = 0; j0 < to_k; j0 += tile)
        for (std::size_t i = i0; i < std::min(i0 + tile, from_k); ++i)
          for (std::size_t j = j0; j < std::min(j0 + tile, to_k); ++j) r.transposed[j * from_k + i] = m[i * to_k + j];
    r.rows = r.transposed.data();
  }
  r.row_min.resize(k);
  r.row_max.resize(k);
  r.row_mean.resize(k);
  r.row_abs.resize(k);
  r.row_argmin.resize(k);
  for (std::size_t a = 0; a < k; ++a) {
    const double* row = r.row(a);
    double lo = row[0], hi = row[0], sum = 0;
    std::size_t lo_at = 0;
    for (std::size_t j = 0; j < r.width; ++j) {
      if (row[j] < lo) {
        lo = row[j];
        lo_at = j;
      }
      hi = std::max(hi, row[j]);
      sum += row[j];
    }
    r.row_argmin[a] = static_cast<std::uint32_t>(lo_at);
    r.row_min[a] = lo;
    r.row_max[a] = hi;
    r.row_mean[a] = sum / static_cast<double>(r.width);
    r.row_abs[a] = std::max(std::abs(lo), std::abs(hi));
  }
  return r;
}

bool same_choice(const std::vector<double>& costs, const std::vector<EdgeRows>& edges, std::size_t a, std::size_t b) {
  if (costs[a] != costs[b]) return false;
  for (const auto& e : edges)
    if (!std::equal(e.row(a), e.row(a) + e.width, e.row(b))) return false;
  return true;
}

// Per configuration x, its own cost plus the sum over edges of the row's max, min and mean, and the
// magnitudes that size the margin. For every edge, max_j (b_j - a_j) lies between
// max(mean_b - mean_a, min_b - min_a, max_b - max_a) and max_b - min_a, so b can dominate a only
// when all three sums of b are below a's, and surely does when b's max sum is below a's min sum.
struct ChoiceSums {
  std::vector<double> max, min, mean, magnitude;
};

ChoiceSums sums_of(const std::vector<double>& costs, const std::vector<EdgeRows>& edges) {
  ChoiceSums s{costs, costs, costs, {}};
  s.magnitude.resize(costs.size());
  for (std::size_t x = 0; x < costs.size(); ++x) {
    s.magnitude[x] = std::abs(costs[x]);
    for (const auto& e : edges) {
      s.max[x] += e.row_max[x];
      s.min[x] += e.row_min[x];
      s.mean[x] += e.row_mean[x];
      s.magnitude[x] += e.row_abs[x];
    }
  }
  return s;
}

// A column of each edge where a candidate b fell short of dominating a: rb[j] - ra[j] was too
// large. The next candidate for the same a is tried at these columns first; most fail there
// after reading one entry an edge instead of most of the rows.
using Witnesses = std::vector<std::uint32_t>;

// The worst difference max_j (rb[j] - ra[j]) over a row, 4 columns at a time, checked against
// `limit` after every chunk: the maximum only grows, so stopping after the chunk that reaches it
// decides as stopping at the column itself would. `hit` is that column, or width when none is.
using v4d = double __attribute__((vector_size(32)));

inline v4d load4(const double* p) {
  v4d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

double worst_difference(const double* rb, const double* ra, std::size_t width, double limit, std::size_t& hit) {
  constexpr std::size_t chunk = 32;
  double worst = -std::numeric_limits<double>::infinity();
  std::size_t j0 = 0;
  for (; j0 + chunk <= width; j0 += chunk) {
    v4d m = load4(rb + j0) - load4(ra + j0);
    for (std::size_t j = j0 + 4; j < j0 + chunk; j += 4) {
      const v4d d = load4(rb + j) - load4(ra + j);
      m = m > d ? m : d;
    }
    worst = std::max({worst, m[0], m[1], m[2], m[3]});
    if (worst >= limit) break;
  }
  if (j0 + chunk > width)
    for (std::size_t j = j0; j < width; ++j) worst = std::max(worst, rb[j] - ra[j]);
  if (worst < limit) {
    hit = width;
    return worst;
  }
  hit = j0;
  while (rb[hit] - ra[hit] < limit) ++hit;
  return worst;
}

// Whether b strictly dominates a: the bound of the header, below -margin.
bool dominates(const std::vector<double>& costs, const std::vector<EdgeRows>& edges, const ChoiceSums& sums,
               std::size_t b, std::size_t a, Witnesses& witness) {
  // The caller has already checked the three sums; only the sure win and the per-edge bounds remain.
  const double margin = kMargin * (sums.magnitude[a] + sums.magnitude[b]);
  if (sums.max[b] - sums.min[a] < -margin) return true;
  double lower = costs[b] - costs[a];
  thread_local std::vector<double> edge_lower;  // reused: this runs for millions of pairs
  edge_lower.resize(edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const EdgeRows& e = edges[i];
    edge_lower[i] =
        std::max({e.row_mean[b] - e.row_mean[a], e.row_min[b] - e.row_min[a], e.row_max[b] - e.row_max[a]});
    lower += edge_lower[i];
  }
  if (lower >= -margin) return false;
  // The witnesses' entries are lower bounds of each edge's worst difference too. Refuted by them
  // only with a slack (a tenth of the margin) far above the rounding of these few sums, so b is
  // refuted here only when the exact test below would refute it as well: the decision is the
  // exact test's, whichever columns were read.
  double witnessed = costs[b] - costs[a];
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const std::size_t j = witness[i];
    witnessed += std::max(edge_lower[i], edges[i].row(b)[j] - edges[i].row(a)[j]);
  }
  if (witnessed >= -0.9 * margin) return false;
  // Replace each edge's lower bound by its exact worst difference, stopping as soon as one column
  // shows the bound cannot stay below -margin; that column becomes the edge's witness.
  double bound = lower;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const double limit = -margin - (bound - edge_lower[i]);
    std::size_t hit = 0;
    const double worst = worst_difference(edges[i].row(b), edges[i].row(a), edges[i].width, limit, hit);
    if (hit < edges[i].width) {
      witness[i] = static_cast<std::uint32_t>(hit);
      return false;
    }
    bound += worst - edge_lower[i];
  }
  return bound < -margin;
}

// The bits of x, with -0 as +0 (same_choice compares with ==): only groups candidates for it.
inline std::uint64_t bits_of(double x) {
  if (x == 0) x = 0;
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

std::uint64_t hash_choice(const std::vector<double>& costs, const std::vector<EdgeRows>& edges, std::size_t a) {
  std::uint64_t h = bits_of(costs[a]);
  for (const auto& e : edges)
    for (std::size_t j = 0; j < e.width; ++j) h = (h ^ bits_of(e.row(a)[j])) * 0x9E3779B97F4A7C15u;
  return h ^ (h >> 29);
}

// The configurations of v that survive: exact duplicates keep their lowest index; every strictly
// dominated configuration goes. Every decision is taken against the same set, so the result does
// not depend on the threads: a dominator that is itself dominated leads, by transitivity, to one
// that is kept.
std::vector<int> survivors(const Problem& problem, int v, const std::vector<std::vector<int>>& incident,
                           int threads) {
  const std::vector<double>& costs = problem.vertices[v].costs;
  const std::size_t k = costs.size();
  std::vector<EdgeRows> edges;
  for (int e : incident[v]) edges.push_back(rows_of(problem, problem.edges[e], v));

  std::vector<char> kept(k, 1);
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> by_hash;
  for (std::size_t a = 0; a < k; ++a) {
    auto& same = by_hash[hash_choice(costs, edges, a)];
    for (std::size_t b : same)
      if (same_choice(costs, edges, a, b)) {
        kept[a] = 0;
        break;
      }
    if (kept[a]) same.push_back(a);
  }
  const ChoiceSums sums = sums_of(costs, edges);
  // Candidates in increasing max sum: only those below a's can dominate a.
  std::vector<std::size_t> by_max;
  for (std::size_t x = 0; x < k; ++x)
    if (kept[x]) by_max.push_back(x);
  std::stable_sort(by_max.begin(), by_max.end(), [&](std::size_t x, std::size_t y) { return sums.max[x] < sums.max[y]; });
  // The three sums and the margin's share in by_max order, shifted by each candidate's share of the
  // margin, so the scan below is a branch-free filter over contiguous arrays.
  const std::size_t n = by_max.size();
  std::vector<double> max_s(n), min_s(n), mean_s(n);
  for (std::size_t c = 0; c < n; ++c) {
    const std::size_t x = by_max[c];
    const double share = kMargin * sums.magnitude[x];
    max_s[c] = sums.max[x] + share;
    min_s[c] = sums.min[x] + share;
    mean_s[c] = sums.mean[x] + share;
  }
  std::vector<char> dominated(k, 0);
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads) if (n >= 1024)
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t a = by_max[i];
    const double share = kMargin * sums.magnitude[a];
    const double below_max = sums.max[a] - share, below_min = sums.min[a] - share, below_mean = sums.mean[a] - share;
    thread_local Witnesses witness;
    witness.resize(edges.size());
    for (std::size_t e = 0; e < edges.size(); ++e) witness[e] = edges[e].row_argmin[a];
    for (std::size_t c = 0; c < i; ++c) {
      // A sum, not &&: three comparisons without branches (the filter rejects most pairs).
      if ((max_s[c] < below_max) + (min_s[c] < below_min) + (mean_s[c] < below_mean) != 3) continue;
      if (dominates(costs, edges, sums, by_max[c], a, witness)) {
        dominated[a] = 1;
        break;
      }
    }
  }
  std::vector<int> out;
  for (std::size_t a = 0; a < k; ++a)
    if (kept[a] && !dominated[a]) out.push_back(static_cast<int>(a));
  return out;
}

bool is_everything(const std::vector<int>& kept, std::size_t k) { return kept.size() == k; }

// The problem restricted to `kept` (indices into `problem`'s configurations). Edges that shared a
// matrix and keep the same configurations share the reduced one.
Problem restrict_to(const Problem& problem, const std::vector<std::vector<int>>& kept) {
  Problem out;
  out.vertices.reserve(problem.vertices.size());
  for (int v = 0; v < problem.vertex_count(); ++v) {
    ProblemVertex vertex{problem.vertices[v].name, {}};
    for (int a : kept[v]) vertex.costs.push_back(problem.vertices[v].costs[a]);
    out.vertices.push_back(std::move(vertex));
  }
  std::map<std::tuple<const void*, std::vector<int>, std::vector<int>>, CostMatrix> reduced;
  for (const auto& e : problem.edges) {
    const auto& rows = kept[e.from];
    const auto& cols = kept[e.to];
    if (is_everything(rows, problem.config_count(e.from)) && is_everything(cols, problem.config_count(e.to))) {
      out.edges.push_back(e);
      continue;
    }
    auto key = std::make_tuple(static_cast<const void*>(e.costs.get()), rows, cols);
    auto it = reduced.find(key);
    if (it == reduced.end()) {
      std::vector<double> m;
      m.reserve(rows.size() * cols.size());
      const std::size_t to_k = problem.config_count(e.to);
      for (int i : rows)
        for (int j : cols) m.push_back(e.cost(static_cast<std::size_t>(i), static_cast<std::size_t>(j), to_k));
      it = reduced.emplace(std::move(key), std::make_shared<const std::vector<double>>(std::move(m))).first;
    }
    out.edges.push_back({e.from, e.to, it->second});
  }
  return out;
}

// Vertices with equal costs and the same incident matrices (a model's repeated blocks) prune alike:
// the key of a vertex's pruning problem, compared exactly.
using PruneKey = std::pair<std::vector<double>, std::vector<std::pair<const void*, bool>>>;

PruneKey prune_key(const Problem& problem, int v, const std::vector<int>& incident) {
  PruneKey key{problem.vertices[v].costs, {}};
  for (int e : incident) key.second.push_back({problem.edges[e].costs.get(), problem.edges[e].from == v});
  return key;
}

}  // namespace

std::vector<int> PrunedProblem::expand(const std::vector<int>& reduced_configs) const {
  std::vector<int> out(reduced_configs.size());
  for (std::size_t v = 0; v < reduced_configs.size(); ++v) out[v] = kept[v][reduced_configs[v]];
  return out;
}

bool should_prune(PruneMode mode, std::uint64_t unpruned_dp_cells) {
  return mode == PruneMode::always || (mode == PruneMode::automatic && unpruned_dp_cells >= kPruneFromCells);
}

const char* to_string(PruneMode mode) {
  switch (mode) {
    case PruneMode::automatic: return "auto";
    case PruneMode::always: return "dominance";
    case PruneMode::never: return "none";
  }
  return "?";
}

PruneMode parse_prune_mode(const std::string& text) {
  for (PruneMode m : {PruneMode::automatic, PruneMode::always, PruneMode::never})
    if (text == to_string(m)) return m;
  throw std::invalid_argument("expected auto, dominance or none, got '" + text + "'");
}

PrunedProblem unpruned(const Problem& problem) {
  PrunedProblem result;
  result.problem = problem;
  result.kept.resize(problem.vertices.size());
  for (int v = 0; v < problem.vertex_count(); ++v) {
    result.kept[v].resize(problem.config_count(v));
    for (std::size_t a = 0; a < problem.config_count(v); ++a) result.kept[v][a] = static_cast<int>(a);
    result.configs_before += problem.config_count(v);
  }
  result.configs_after = result.configs_before;
  return result;
}

PrunedProblem prune_dominated(const Problem& problem, int threads) {
  PrunedProblem result = unpruned(problem);
  const int n = problem.vertex_count();
  std::vector<std::vector<int>> incident(n);
  for (std::size_t e = 0; e < problem.edges.size(); ++e) {
    incident[problem.edges[e].from].push_back(static_cast<int>(e));
    incident[problem.edges[e].to].push_back(static_cast<int>(e));
  }
  // A round removes every configuration dominated at that point, so only a vertex whose neighbour
  // lost configurations can lose more in the next round.
  std::vector<char> dirty(n, 1);
  for (;;) {
    const Problem& current = result.problem;
    std::map<PruneKey, std::vector<int>> seen;
    std::vector<std::vector<int>> keep(n);
    std::vector<char> changed(n, 0);
    bool any = false;
    for (int v = 0; v < n; ++v) {
      if (!dirty[v]) {
        keep[v].resize(current.config_count(v));
        for (std::size_t a = 0; a < keep[v].size(); ++a) keep[v][a] = static_cast<int>(a);
        continue;
      }
      PruneKey key = prune_key(current, v, incident[v]);
      auto it = seen.find(key);
      if (it == seen.end()) it = seen.emplace(std::move(key), survivors(current, v, incident, threads)).first;
      keep[v] = it->second;
      changed[v] = keep[v].size() < current.config_count(v);
      any = any || changed[v];
    }
    ++result.passes;
    if (!any) break;
    std::fill(dirty.begin(), dirty.end(), 0);
    for (const auto& e : problem.edges) {
      if (changed[e.from]) dirty[e.to] = 1;
      if (changed[e.to]) dirty[e.from] = 1;
    }
    for (int v = 0; v < n; ++v)
      for (int& a : keep[v]) a = result.kept[v][a];
    result.kept = std::move(keep);
    result.problem = restrict_to(problem, result.kept);
  }
  result.configs_after = 0;
  for (int v = 0; v < n; ++v) result.configs_after += result.kept[v].size();
  std::set<const void*> made;
  for (std::size_t e = 0; e < problem.edges.size(); ++e)
    if (result.problem.edges[e].costs != problem.edges[e].costs && made.insert(result.problem.edges[e].costs.get()).second)
      result.matrix_bytes += result.problem.edges[e].costs->size() * sizeof(double);
  return result;
}

}  // namespace pase
