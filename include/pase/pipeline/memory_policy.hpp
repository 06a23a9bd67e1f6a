#pragma once
// The one memory rule of every search (`pase search`, `pase plan`, sweep points, checkpointed
// searches). What a rank holds: its share of the DP tables at their peak (predict() over the plan's
// distribution) plus the edge matrices, which every rank keeps whole (the model's and the pruned
// problem's). The default cap is 80% of the node's physical memory divided by the ranks sharing the
// node, leaving 20% to the system and the rest of the process.

#include <cstdint>
#include <optional>
#include <vector>

#include "pase/pipeline/search_run.hpp"
#include "pase/pipeline/search_settings.hpp"
#include "pase/search/distribution.hpp"

namespace pase {

// The node's physical memory (sysconf); 0 when it cannot be read.
std::uint64_t physical_memory_bytes();
// 80% of physical_memory_bytes(), divided by `ranks_on_node` (at least 1).
std::uint64_t default_memory_cap(int ranks_on_node);
// The cap a search runs with: `requested` (0: no limit) when given, else default_memory_cap. Sets
// settings.max_memory_bytes and the problem's cap on edge matrices alike.
void set_memory_cap(SearchSettings& settings, std::optional<std::uint64_t> requested, int ranks_on_node);

// The edge matrices every rank holds: the model's and the pruned problem's.
std::uint64_t edge_matrix_bytes(const SearchRun& planned);
// The memory and traffic each of `ranks` ranks would have in DP tables.
std::vector<RankPrediction> predict_ranks(const SearchSettings& settings, const SearchRun& planned, int ranks);
// The most any of `ranks` ranks would hold: DP tables and the edge matrices every rank keeps.
std::uint64_t peak_rank_bytes(const SearchSettings& settings, const SearchRun& planned, int ranks);
// The fewest ranks on which the search fits settings.max_memory_bytes; 0 if none up to 4096 does.
int ranks_needed_for(const SearchSettings& settings, const SearchRun& planned);

struct MemoryVerdict {
  std::uint64_t peak_bytes = 0;  // peak_rank_bytes: DP tables and edge matrices, on the fullest rank
  std::uint64_t cap_bytes = 0;   // settings.max_memory_bytes; 0: no limit
  bool fits = true;
};
// The one check: does a planned search fit its cap on `ranks` ranks?
MemoryVerdict memory_verdict(const SearchSettings& settings, const SearchRun& planned, int ranks);
// Throws MemoryLimitExceeded, saying how many ranks would do, when memory_verdict does not fit.
void check_memory(const SearchSettings& settings, const SearchRun& planned, int ranks);

}  // namespace pase
