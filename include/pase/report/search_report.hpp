#pragma once
// What a search found, in the user's terms: per layer configuration and cost, the total, the step
// time, and the same for plain data parallelism.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/bytes.hpp"
#include "pase/cost/model_problem.hpp"
#include "pase/search/collectives.hpp"
#include "pase/search/distribution.hpp"
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
  std::uint64_t max_memory_bytes = 0;  // per rank; 0: no limit
  DpOptions dp;
};

struct SearchRun {
  Network network;
  ModelProblem model;
  Plan plan;
  OrderKind order = OrderKind::greedy;  // the order planned: settings.order, or what auto chose
  std::string order_text;               // describe(): the chosen order and, for auto, every candidate's DP cells
  Solution solution;
  double build_seconds = 0;   // reading the model and building the cost tables
  double search_seconds = 0;  // ordering, planning, DP and back-substitution
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

struct LayerRow {
  std::string name;
  std::string op;
  std::string letters;
  Config config;
  std::size_t config_count = 0;  // configurations the search considered
  double cost = 0;   // layer cost plus the cost of the edges into it, FLOP
  double share = 0;  // of the total
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
  double build_seconds = 0;
  double search_seconds = 0;
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
