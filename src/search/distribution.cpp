#include "pase/search/distribution.hpp"

#include <algorithm>

namespace pase {

namespace {

// Configurations [lo, hi) of a split vertex with k configurations that rank r of R takes.
std::pair<std::uint64_t, std::uint64_t> config_range(std::uint64_t k, int rank, int ranks) {
  const auto r = static_cast<std::uint64_t>(rank), n = static_cast<std::uint64_t>(ranks);
  return {r * k / n, (r + 1) * k / n};
}

}  // namespace

Distribution distribute(const Problem& problem, const Plan& plan, int ranks, std::uint64_t replicate_below_bytes) {
  (void)problem;
  const std::size_t n = plan.steps.size();
  Distribution d;
  d.ranks = ranks;
  d.split.assign(n, false);
  d.owned.assign(n, false);
  d.modes.assign(n, TableMode::replicated);
  auto large = [&](const PlanStep& step) {
    return saturating_multiply(step.entries, sizeof(double)) >= replicate_below_bytes;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const PlanStep& step = plan.steps[i];
    if (ranks < 2 || step.split_vertex < 0) continue;
    d.owned[i] = true;
    bool split = large(step) || step.cells >= split_work_cells;
    for (int child : step.child_steps) split = split || large(plan.steps[child]);
    d.split[i] = split;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!d.split[i]) continue;
    const PlanStep& step = plan.steps[i];
    const auto c = static_cast<std::size_t>(step.consumer_step);
    const bool local = d.split[c] && plan.steps[c].split_vertex == step.split_vertex;
    d.modes[i] = local ? TableMode::block : TableMode::gathered;
  }
  return d;
}

BlockRange owned_block(const Problem& problem, const Plan& plan, const Distribution& d, int step, int rank) {
  const PlanStep& s = plan.steps[step];
  if (!d.owned[step]) return {0, s.entries};
  const std::uint64_t k = problem.config_count(s.split_vertex);
  const std::uint64_t stride = s.entries / k;
  const auto [lo, hi] = config_range(k, rank, d.ranks);
  return {lo * stride, hi * stride};
}

BlockRange computed_block(const Problem& problem, const Plan& plan, const Distribution& d, int step, int rank) {
  if (!d.split[step]) return {0, plan.steps[step].entries};
  return owned_block(problem, plan, d, step, rank);
}

int owner_of(const Problem& problem, const Plan& plan, int step, int ranks, std::int64_t config) {
  const std::uint64_t k = problem.config_count(plan.steps[step].split_vertex);
  for (int r = 0; r < ranks; ++r) {
    const auto [lo, hi] = config_range(k, r, ranks);
    if (static_cast<std::uint64_t>(config) >= lo && static_cast<std::uint64_t>(config) < hi) return r;
  }
  return ranks - 1;
}

std::vector<RankPrediction> predict(const Problem& problem, const Plan& plan, const Distribution& d) {
  const std::size_t n = plan.steps.size();
  std::vector<RankPrediction> out(d.ranks);
  for (int r = 0; r < d.ranks; ++r) {
    std::vector<std::uint64_t> held(n, 0);
    std::uint64_t live = 0, argmins = 0;
    RankPrediction& p = out[r];
    for (std::size_t i = 0; i < n; ++i) {
      const PlanStep& step = plan.steps[i];
      const auto index = static_cast<int>(i);
      const BlockRange mine = owned_block(problem, plan, d, index, r);
      const BlockRange computed = computed_block(problem, plan, d, index, r);
      const std::uint64_t entries = d.modes[i] == TableMode::block ? mine.size() : step.entries;
      held[i] = saturating_multiply(entries, sizeof(double));
      live = saturating_add(live, held[i]);
      argmins = saturating_add(argmins, saturating_multiply(mine.size(), step.argmin_bytes_per_entry));
      // A step computed whole writes its back-substitution entries to scratch, then keeps its block.
      const std::uint64_t scratch =
          computed.size() == mine.size() ? 0 : saturating_multiply(computed.size(), step.argmin_bytes_per_entry);
      p.peak_bytes = std::max(p.peak_bytes, saturating_add(saturating_add(live, argmins), scratch));
      p.dp_cells = saturating_add(p.dp_cells, saturating_multiply(computed.size(), problem.config_count(step.vertex)));
      if (d.modes[i] == TableMode::gathered) {
        p.bytes_sent = saturating_add(p.bytes_sent, saturating_multiply(mine.size() * sizeof(double), d.ranks - 1));
        p.bytes_received = saturating_add(p.bytes_received, (step.entries - mine.size()) * sizeof(double));
      }
      for (int child : step.child_steps) live -= held[child];
    }
  }
  return out;
}

int ranks_needed(const Problem& problem, const Plan& plan, std::uint64_t replicate_below_bytes, std::uint64_t bytes,
                 int limit) {
  auto fits = [&](int ranks) {
    const auto p = predict(problem, plan, distribute(problem, plan, ranks, replicate_below_bytes));
    return std::all_of(p.begin(), p.end(), [&](const RankPrediction& x) { return x.peak_bytes <= bytes; });
  };
  int hi = 1;
  while (hi <= limit && !fits(hi)) hi *= 2;
  if (hi > limit) return 0;
  int lo = hi / 2;  // does not fit (or 0)
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    (fits(mid) ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace pase
