#include "pase/search/dp.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <stdexcept>

#include "pase/search/distribution.hpp"
#include "pase/search/kernel.hpp"

namespace pase {

std::vector<std::uint64_t> scope_strides(const Problem& problem, const std::vector<int>& scope) {
  std::vector<std::uint64_t> strides(scope.size());
  std::uint64_t s = 1;
  for (std::size_t i = 0; i < scope.size(); ++i) {
    strides[i] = s;
    s *= problem.config_count(scope[i]);
  }
  return strides;
}

namespace {

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

}  // namespace

namespace {

class DistributedDp {
 public:
  DistributedDp(const Problem& problem, const Plan& plan, const DpOptions& options, Collectives& comm,
                DpState start)
      : problem_(problem), plan_(plan), options_(options), comm_(comm),
        dist_(distribute(problem, plan, comm.size(), options.replicate_below_bytes)), state_(std::move(start)),
        edges_by_vertex_(problem.vertex_count()) {
    state_.steps.resize(plan.steps.size());
    for (const StepData& s : state_.steps) hold(s.costs.size() * sizeof(double) + s.argmin.bytes.size());
    for (std::size_t e = 0; e < problem.edges.size(); ++e) {
      edges_by_vertex_[problem.edges[e].from].push_back(e);
      edges_by_vertex_[problem.edges[e].to].push_back(e);
    }
  }

  Solution run(std::vector<RankStats>* stats, DpListener* listener) {
    Solution solution;
    solution.dp_cells = plan_.totals.dp_cells;
    for (int i = state_.steps_done; i < static_cast<int>(plan_.steps.size()); ++i) {
      const double seconds = eliminate(i);
      const PlanStep& step = plan_.steps[i];
      if (step.cells > solution.largest_step_cells) {
        solution.largest_step_cells = step.cells;
        solution.largest_step_seconds = seconds;
      }
      if (step.consumer_step < 0) state_.dp_minimum += state_.steps[i].costs[0];
      state_.steps_done = i + 1;
      if (listener && listener->after_step(state_))
        throw SearchInterrupted("the search stopped after step " + std::to_string(i + 1) + " of " +
                                std::to_string(plan_.steps.size()));
    }
    solution.dp_minimum = state_.dp_minimum;
    solution.configs = back_substitute();
    solution.total_cost = evaluate(problem_, solution.configs);
    const auto all = comm_.all_stats(stats_);
    if (stats) *stats = all;
    return solution;
  }

 private:
  // The costs of every edge between `vertex` and `neighbour`, summed, as [neighbour][vertex]: the
  // edge's own matrix when it already has that layout, else a (transposed) sum.
  CostMatrix edge_factor(int vertex, int neighbour) {
    const std::size_t kv = problem_.config_count(vertex), ku = problem_.config_count(neighbour);
    std::vector<const ProblemEdge*> between;
    for (std::size_t index : edges_by_vertex_[vertex]) {
      const ProblemEdge& e = problem_.edges[index];
      if ((e.from == neighbour && e.to == vertex) || (e.from == vertex && e.to == neighbour)) between.push_back(&e);
    }
    if (between.size() == 1 && between[0]->from == neighbour) return between[0]->costs;
    // Repeated layers share matrices: transpose each shared matrix once.
    const bool single = between.size() == 1;
    if (single)
      if (auto it = transposed_.find(between[0]->costs.get()); it != transposed_.end()) return it->second;
    auto m = std::make_shared<std::vector<double>>(ku * kv, 0.0);
    const int threads = ku * kv < (1u << 12) ? 1 : options_.threads;
    for (const ProblemEdge* e : between) {
      const std::vector<double>& costs = *e->costs;
      const bool transpose = e->from == vertex;
#pragma omp parallel for schedule(static) num_threads(threads)
      for (std::size_t u = 0; u < ku; ++u)
        for (std::size_t c = 0; c < kv; ++c) (*m)[u * kv + c] += transpose ? costs[c * ku + u] : costs[u * kv + c];
    }
    if (single) transposed_[between[0]->costs.get()] = m;
    return m;
  }

  // Returns the seconds spent computing.
  double eliminate(int i) {
    const PlanStep& step = plan_.steps[i];
    if (step.entries == std::numeric_limits<std::uint64_t>::max())
      throw std::runtime_error("a DP table is too large to index");
    KernelInput input;
    input.configs = problem_.config_count(step.vertex);
    input.vertex_costs = problem_.vertices[step.vertex].costs.data();
    for (int u : step.loop) input.extents.push_back(problem_.config_count(u));
    input.out_strides = strides_by_loop(problem_, step.scope, step.loop);
    std::vector<CostMatrix> edge_data;
    for (int u : step.edge_neighbours) {
      edge_data.push_back(edge_factor(step.vertex, u));
      KernelFactor f;
      f.data = edge_data.back()->data();
      f.strides = strides_by_loop(problem_, {step.vertex, u}, step.loop);
      f.level = deepest_level(f.strides);
      input.factors.push_back(std::move(f));
    }
    for (int child : step.child_steps) {
      KernelFactor f;
      f.data = state_.steps[child].costs.data();
      f.origin = state_.steps[child].costs_origin;
      f.strides = strides_by_loop(problem_, plan_.steps[child].scope, step.loop);
      f.level = deepest_level(f.strides);
      input.factors.push_back(std::move(f));
    }

    const BlockRange mine = owned_block(problem_, plan_, dist_, i, comm_.rank());
    const BlockRange computed = computed_block(problem_, plan_, dist_, i, comm_.rank());
    StepData& data = state_.steps[i];
    const bool whole = dist_.modes[i] != TableMode::block;
    data.costs_origin = whole ? 0 : mine.begin;
    data.costs.assign(whole ? step.entries : mine.size(), 0.0);
    data.argmin_origin = mine.begin;
    data.argmin.width = step.argmin_bytes_per_entry;
    data.argmin.resize(mine.size());
    hold(data.costs.size() * sizeof(double) + data.argmin.bytes.size());

    // A step computed whole by every rank writes its back-substitution entries to scratch; the
    // rank keeps only its own block of them.
    ArgminTable scratch;
    if (computed.size() != mine.size()) {
      scratch.width = data.argmin.width;
      scratch.resize(computed.size());
      hold(scratch.bytes.size());
    }
    ArgminTable& arg_out = computed.size() != mine.size() ? scratch : data.argmin;
    const auto start = std::chrono::steady_clock::now();
    double* out = data.costs.data() + (computed.begin - data.costs_origin);
    switch (data.argmin.width) {
      case 1: compute<std::uint8_t>(input, computed, out, arg_out); break;
      case 2: compute<std::uint16_t>(input, computed, out, arg_out); break;
      default: compute<std::uint32_t>(input, computed, out, arg_out); break;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    stats_.compute_s += seconds;
    stats_.dp_cells += computed.size() * input.configs;
    if (&arg_out == &scratch) {
      const std::size_t w = data.argmin.width;
      std::copy(scratch.bytes.begin() + static_cast<std::ptrdiff_t>((mine.begin - computed.begin) * w),
                scratch.bytes.begin() + static_cast<std::ptrdiff_t>((mine.end - computed.begin) * w),
                data.argmin.bytes.begin());
      release(scratch.bytes.size());
    }

    if (dist_.modes[i] == TableMode::gathered) gather(i, data.costs);
    for (int child : step.child_steps) {
      release(state_.steps[child].costs.size() * sizeof(double));
      std::vector<double>().swap(state_.steps[child].costs);
    }
    return seconds;
  }

  // The rank's block, in chunks over the threads. The loop's flat index and the table entry
  // advance together over a block, because the split vertex is the outermost loop and the slowest
  // table dimension.
  template <class Index>
  void compute(const KernelInput& input, BlockRange block, double* out, ArgminTable& arg) {
    Index* arg_out = reinterpret_cast<Index*>(arg.bytes.data());
    const std::uint64_t cells = block.size() * input.configs;
    const int threads = cells < (1u << 16) ? 1 : std::max(1, options_.threads);
    const std::uint64_t chunks = threads == 1 ? 1 : std::min<std::uint64_t>(block.size(), 16ull * threads);
    const auto chunk_count = static_cast<std::int64_t>(chunks);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::int64_t c = 0; c < chunk_count; ++c) {
      const std::uint64_t b = block.begin + block.size() * static_cast<std::uint64_t>(c) / chunks;
      const std::uint64_t e = block.begin + block.size() * static_cast<std::uint64_t>(c + 1) / chunks;
      run_kernel<Index>(input, b, e, block.begin, out, arg_out);
    }
  }

  void gather(int i, std::vector<double>& table) {
    std::vector<std::uint64_t> offsets(comm_.size()), counts(comm_.size());
    for (int r = 0; r < comm_.size(); ++r) {
      const BlockRange b = owned_block(problem_, plan_, dist_, i, r);
      offsets[r] = b.begin;
      counts[r] = b.size();
    }
    const auto start = std::chrono::steady_clock::now();
    comm_.allgather_blocks(table.data(), offsets, counts);
    stats_.comm_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::uint64_t mine = counts[comm_.rank()];
    stats_.bytes_sent += mine * sizeof(double) * static_cast<std::uint64_t>(comm_.size() - 1);
    stats_.bytes_received += (table.size() - mine) * sizeof(double);
  }

  std::vector<int> back_substitute() {
    std::vector<int> configs(problem_.vertex_count(), 0);
    for (int i = static_cast<int>(plan_.steps.size()) - 1; i >= 0; --i) {
      const PlanStep& step = plan_.steps[i];
      const auto strides = scope_strides(problem_, step.scope);
      std::uint64_t index = 0;
      for (std::size_t d = 0; d < step.scope.size(); ++d) index += strides[d] * configs[step.scope[d]];
      const StepData& data = state_.steps[i];
      if (!dist_.owned[i]) {
        configs[step.vertex] = static_cast<int>(data.argmin.at(index - data.argmin_origin));
        continue;
      }
      const int owner = owner_of(problem_, plan_, i, comm_.size(), configs[step.split_vertex]);
      const std::int64_t mine =
          comm_.rank() == owner ? static_cast<std::int64_t>(data.argmin.at(index - data.argmin_origin)) : 0;
      const auto start = std::chrono::steady_clock::now();
      configs[step.vertex] = static_cast<int>(comm_.broadcast(mine, owner));
      stats_.comm_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return configs;
  }

  void hold(std::uint64_t bytes) {
    held_ += bytes;
    stats_.peak_table_bytes = std::max(stats_.peak_table_bytes, held_);
  }
  void release(std::uint64_t bytes) { held_ -= bytes; }

  const Problem& problem_;
  const Plan& plan_;
  const DpOptions& options_;
  Collectives& comm_;
  Distribution dist_;
  DpState state_;
  std::vector<std::vector<std::size_t>> edges_by_vertex_;
  std::map<const std::vector<double>*, CostMatrix> transposed_;
  RankStats stats_;
  std::uint64_t held_ = 0;
};

}  // namespace

Solution solve(const Problem& problem, const Plan& plan, const DpOptions& options, Collectives& collectives,
               std::vector<RankStats>* stats, DpListener* listener, DpState start) {
  return DistributedDp(problem, plan, options, collectives, std::move(start)).run(stats, listener);
}

Solution solve(const Problem& problem, const Plan& plan) {
  SingleProcess single;
  return solve(problem, plan, DpOptions{}, single, nullptr);
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
