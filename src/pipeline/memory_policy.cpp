#include "pase/pipeline/memory_policy.hpp"

#include <unistd.h>

#include <algorithm>
#include <string>

#include "pase/bytes.hpp"
#include "pase/saturating.hpp"

namespace pase {

std::uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : 0;
}

std::uint64_t default_memory_cap(int ranks_on_node) {
  return physical_memory_bytes() / 10 * 8 / static_cast<std::uint64_t>(std::max(1, ranks_on_node));
}

void set_memory_cap(SearchSettings& settings, std::optional<std::uint64_t> requested, int ranks_on_node) {
  settings.max_memory_bytes = settings.problem.max_memory_bytes = requested ? *requested
                                                                            : default_memory_cap(ranks_on_node);
}

std::uint64_t edge_matrix_bytes(const SearchRun& planned) {
  return saturating_add(planned.model.edge_bytes, planned.pruned.matrix_bytes);
}

std::vector<RankPrediction> predict_ranks(const SearchSettings& settings, const SearchRun& planned, int ranks) {
  const Problem& problem = planned.searched();
  return predict(problem, planned.plan, distribute(problem, planned.plan, ranks, settings.dp.replicate_below_bytes));
}

std::uint64_t peak_rank_bytes(const SearchSettings& settings, const SearchRun& planned, int ranks) {
  std::uint64_t peak = 0;
  for (const auto& p : predict_ranks(settings, planned, ranks)) peak = std::max(peak, p.peak_bytes);
  return saturating_add(peak, edge_matrix_bytes(planned));
}

int ranks_needed_for(const SearchSettings& settings, const SearchRun& planned) {
  const std::uint64_t edges = edge_matrix_bytes(planned);
  if (edges >= settings.max_memory_bytes) return 0;
  return ranks_needed(planned.searched(), planned.plan, settings.dp.replicate_below_bytes,
                      settings.max_memory_bytes - edges);
}

MemoryVerdict memory_verdict(const SearchSettings& settings, const SearchRun& planned, int ranks) {
  MemoryVerdict v;
  v.peak_bytes = peak_rank_bytes(settings, planned, ranks);
  v.cap_bytes = settings.max_memory_bytes;
  v.fits = v.cap_bytes == 0 || v.peak_bytes <= v.cap_bytes;
  return v;
}

void check_memory(const SearchSettings& settings, const SearchRun& planned, int ranks) {
  const MemoryVerdict verdict = memory_verdict(settings, planned, ranks);
  if (verdict.fits) return;
  const int needed = ranks_needed_for(settings, planned);
  throw MemoryLimitExceeded(
      "the search needs " + format_bytes(verdict.peak_bytes) + " on a rank at its peak with " + std::to_string(ranks) +
      " rank(s) (DP tables, and " + format_bytes(edge_matrix_bytes(planned)) +
      " of edge matrices on every rank), more than --max-memory " + format_bytes(verdict.cap_bytes) + " per rank; " +
      (needed > 0 ? "it fits on " + std::to_string(needed) + " ranks (mpirun -n " + std::to_string(needed) + ")"
                  : "no number of ranks up to 4096 makes it fit") +
      ", or raise --max-memory or use fewer --procs");
}

}  // namespace pase
