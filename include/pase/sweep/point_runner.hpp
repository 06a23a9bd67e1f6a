#pragma once
// Computes sweep points through the search pipeline (pase/pipeline/search_pipeline.hpp). Points of one
// group (same model, parameters and device count) have the same problem structure, so the runner
// keeps the loaded network and, as the pipeline's plan cache, the elimination order and the plan of
// the groups it saw last; for each further point the pipeline only rebuilds the cost tables (and
// prunes) and runs the DP. The numbers, and the memory verdict (memory_policy.hpp, on one rank), are
// those of `pase search` for the same settings (make_report).

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <vector>

#include "pase/report/search_report.hpp"
#include "pase/sweep/results_table.hpp"
#include "pase/sweep/sweep_points.hpp"

namespace pase {

struct RunnerStats {
  std::uint64_t points = 0;
  std::uint64_t plans_built = 0;   // orderings and plans made
  std::uint64_t plans_shared = 0;  // points that reused one
};

class PointRunner {
 public:
  // `points` (and its spec) must outlive the runner. `max_memory_bytes` (0: no limit) refuses a point
  // whose DP tables and edge matrices would need more (memory_verdict on one rank).
  PointRunner(const SweepPoints& points, std::uint64_t max_memory_bytes, int rank = 0, std::size_t cached_groups = 4);

  // A point's own failure (a model that cannot be split, the memory limit) becomes the row's status.
  SweepRow run(std::uint64_t point);
  const RunnerStats& stats() const { return stats_; }

 private:
  struct Structure {
    std::vector<std::size_t> config_counts;
    std::vector<std::pair<int, int>> edges;
    bool operator==(const Structure&) const = default;
  };
  struct Shared {
    int model = 0;
    std::int64_t procs = 0;
    std::vector<std::string> overrides;
    Network network;
    std::optional<PlannedOrder> planned;  // of the unpruned problem of `structure`
    Structure structure;
  };
  class GroupPlans;
  Shared& shared_for(const SweepPoint& point, double& load_seconds, bool& fresh);
  static Structure structure_of(const Problem& problem);

  const SweepSpec& spec_;
  const SweepPoints& points_;
  std::uint64_t max_memory_bytes_;
  int rank_;
  std::size_t capacity_;
  std::list<Shared> cache_;  // most recently used first
  RunnerStats stats_;
};

// The chosen configuration of every layer, as a JSON object: {"conv1":[1,1,1,1,1,1,4],...}.
std::string strategy_json(const SearchReport& report);

}  // namespace pase
