#pragma once
// How a plan's tables are spread over R ranks, and what that costs each rank, before any DP work.
//
// Rank r owns the configurations [lo_r, hi_r) of each step's split vertex: one contiguous block of
// the step's table, and of its back-substitution table, which only the owner keeps. A step is
// computed in parts (each rank its block) when its table or a child's is at least
// `replicate_below_bytes`, or its work is large; its table then stays in blocks when its consumer
// splits by the same vertex (each rank reads only its own block), or is gathered whole on every
// rank when the consumer needs all of it. Other steps are small: every rank computes them whole,
// which costs no communication.

#include <cstdint>
#include <vector>

#include "pase/problem.hpp"
#include "pase/search/plan.hpp"

namespace pase {

enum class TableMode { replicated, block, gathered };

struct BlockRange {
  std::uint64_t begin = 0;  // first table entry of the block
  std::uint64_t end = 0;
  std::uint64_t size() const { return end - begin; }
};

struct Distribution {
  int ranks = 1;
  std::vector<TableMode> modes;  // per step
  std::vector<bool> split;       // per step: computed in parts (block or gathered)
  std::vector<bool> owned;       // per step: its back-substitution table is kept in blocks
};

// Steps with at least this many DP cells are computed in parts whatever their table size.
inline constexpr std::uint64_t split_work_cells = 1ull << 16;

Distribution distribute(const Problem& problem, const Plan& plan, int ranks, std::uint64_t replicate_below_bytes);

// The entries of step `step`'s table that rank `rank` owns (all of them when blocks are not kept).
BlockRange owned_block(const Problem& problem, const Plan& plan, const Distribution& d, int step, int rank);
// The entries rank `rank` computes: its block when the step is split, else all.
BlockRange computed_block(const Problem& problem, const Plan& plan, const Distribution& d, int step, int rank);
// The rank that computed a table entry whose split vertex has configuration `config`.
int owner_of(const Problem& problem, const Plan& plan, int step, int ranks, std::int64_t config);

struct RankPrediction {
  std::uint64_t peak_bytes = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t dp_cells = 0;
};

std::vector<RankPrediction> predict(const Problem& problem, const Plan& plan, const Distribution& d);

// The fewest ranks (up to `limit`) whose largest per-rank peak fits `bytes`; 0 if none does.
int ranks_needed(const Problem& problem, const Plan& plan, std::uint64_t replicate_below_bytes, std::uint64_t bytes,
                 int limit = 4096);

}  // namespace pase
