#pragma once
// What a search found, in the user's terms: per layer configuration and cost, the total, the step
// time, and the same for plain data parallelism.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/bytes.hpp"
#include "pase/model/model_problem.hpp"
#include "pase/cost/step_time.hpp"
#include "pase/search/blocks.hpp"
#include "pase/search/collectives.hpp"
#include "pase/search/distribution.hpp"
#include "pase/search/dominance.hpp"
#include "pase/search/dp.hpp"
#include "pase/search/order.hpp"
#include "pase/search/order_choice.hpp"
#include "pase/search/plan.hpp"

namespace pase {

struct SearchSettings {
  std::string model_file;
  std::vector<std::string> overrides;  // --set name=value
  ProblemOptions problem;
  OrderKind order = OrderKind::greedy;
  PruneMode prune = PruneMode::automatic;  // drop dominated configurations before planning (exact)
  BlockMode blocks = BlockMode::never;     // reduce repeated two-terminal blocks after pruning (exact)
  std::uint64_t max_memory_bytes = 0;  // per rank; 0: no limit
  DpOptions dp;
};

struct SearchRun {
  Network network;
  ModelProblem model;
  // What the DP searches: model.problem without its dominated configurations (or all of it); the
  // plan, the distribution and the checkpoints are of this problem.
  PrunedProblem pruned;
  // pruned.problem with its repeated blocks reduced (search/blocks.hpp), or empty when not reduced.
  BlockReduction blocks;
  std::uint64_t pruned_dp_cells = 0;  // the plan of pruned.problem, before block reduction
  Plan plan;
  std::uint64_t unpruned_dp_cells = 0;  // the same order's plan of model.problem
  OrderKind order = OrderKind::greedy;  // the order planned: settings.order, or what auto chose
  std::string order_text;               // describe(): the chosen order and, for auto, every candidate's DP cells
  Solution solution;
  double build_seconds = 0;   // reading the model and building the cost tables
  double search_seconds = 0;  // pruning, ordering, planning, DP and back-substitution

  const Problem& searched() const { return blocks.reduced_any() ? blocks.problem : pruned.problem; }
  std::vector<RankStats> rank_stats;
};

// Loads, builds, orders, plans (refusing when a rank's share exceeds max_memory_bytes) and solves,
// with every rank of `collectives` taking part.
SearchRun run_search(const SearchSettings& settings, Collectives& collectives);
SearchRun run_search(const SearchSettings& settings);  // one process
// The first half of run_search: load, build, order and plan, without the DP.
SearchRun plan_search(const SearchSettings& settings);
// Throws MemoryLimitExceeded when a rank's share of the planned DP exceeds max_memory_bytes.
void check_memory(const SearchSettings& settings, const SearchRun& planned, int ranks);
// The second half: the DP of a planned search (memory already checked), with every rank of
// `collectives` taking part, telling `listener` of every step and starting from `start` (a resumed
// search's state for this number of ranks).
void solve_planned(const SearchSettings& settings, SearchRun& planned, Collectives& collectives,
                   DpListener* listener = nullptr, DpState start = {});
// Turns a solution of run.searched() into one of run.model.problem (configuration indices and total).
void expand_solution(SearchRun& run);
// The edge matrices every rank holds: the model's and the pruned problem's.
std::uint64_t edge_matrix_bytes(const SearchRun& planned);

struct PruningTotals {
  PruneMode mode = PruneMode::automatic;
  bool applied = false;
  std::uint64_t unpruned_dp_cells = 0;
  std::uint64_t configs_before = 0;
  std::uint64_t configs_after = 0;
  int passes = 0;
};
PruningTotals pruning_totals(const SearchSettings& settings, const SearchRun& run);

struct BlockTotals {
  BlockMode mode = BlockMode::never;
  std::size_t blocks = 0;             // pieces replaced by an edge
  int distinct = 0;                   // pieces eliminated (one per group of identical ones)
  std::uint64_t reduction_cells = 0;  // DP cells eliminating them
  std::uint64_t dp_cells_before = 0;  // the plan of the pruned problem
  std::uint64_t dp_cells_after = 0;   // the plan of the reduced problem
};
BlockTotals block_totals(const SearchSettings& settings, const SearchRun& run);

// How one split of a layer lies on the node-major device grid (hardware model).
struct SplitPlacement {
  char letter = 0;
  std::int64_t ways = 1;
  int nodes = 1;  // nodes its device groups span: 1 = inside a node
};

struct LayerRow {
  std::string name;
  std::string op;
  std::string letters;
  Config config;
  std::size_t config_count = 0;  // configurations the search considered
  double cost = 0;   // layer cost plus the cost of the edges into it, FLOP
  double share = 0;  // of the total
  double time_s = 0;  // the cost in seconds (paper model: at the device's peak)
  std::vector<SplitPlacement> placement = {};  // hardware model: each split's nodes
};

struct SearchReport {
  std::string model;
  std::string file;
  Parameters params;
  std::int64_t parameters = -1;            // the model file's, -1 when it does not say
  double forward_macs_per_sample = -1;
  SearchSettings settings;
  OrderKind order = OrderKind::greedy;  // as in SearchRun
  std::string order_text;
  std::vector<LayerRow> layers;
  double total_cost = 0;
  double step_time_s = 0;
  double data_parallel_cost = 0;
  double data_parallel_step_time_s = 0;
  double speedup_over_data_parallel = 0;
  CostModel cost_model = CostModel::paper;
  std::string cluster_name;            // hardware model: the pase-cluster's name
  StepBreakdown breakdown;             // of step_time_s
  StepBreakdown data_parallel_breakdown;
  std::int64_t devices_used = 0;       // the most devices a layer of the strategy uses
  std::int64_t data_parallel_devices_used = 0;
  // Hardware model: the DP's strategy lost to data parallelism once both overlap their gradient
  // all-reduces, so data parallelism is reported (src/cluster/README.md, "What is exact").
  bool data_parallel_chosen = false;
  double build_seconds = 0;
  double search_seconds = 0;
  PruningTotals pruning;
  BlockTotals blocks;
  PlanTotals plan;
  std::vector<RankStats> ranks;
};

SearchReport make_report(const SearchSettings& settings, const SearchRun& run);

// The memory and traffic each of `ranks` ranks would have in DP tables.
std::vector<RankPrediction> predict_ranks(const SearchSettings& settings, const SearchRun& planned, int ranks);
// The most any of `ranks` ranks would hold: DP tables and the edge matrices every rank keeps.
std::uint64_t peak_rank_bytes(const SearchSettings& settings, const SearchRun& planned, int ranks);
// The fewest ranks on which the search fits settings.max_memory_bytes; 0 if none up to 4096 does.
int ranks_needed_for(const SearchSettings& settings, const SearchRun& planned);


}  // namespace pase
