#include "pase/sweep/point_runner.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "pase/model/model_file.hpp"
#include "pase/search/order_choice.hpp"

namespace pase {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

std::string strategy_json(const SearchReport& report) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (const auto& layer : report.layers) doc[layer.name] = layer.config;
  return doc.dump();
}

PointRunner::PointRunner(const SweepSpec& spec, const std::vector<SweepPoint>& points, std::uint64_t max_memory_bytes,
                         int rank, std::size_t cached_groups)
    : spec_(spec), points_(points), max_memory_bytes_(max_memory_bytes), rank_(rank), capacity_(cached_groups) {}

PointRunner::Structure PointRunner::structure_of(const Problem& problem) {
  Structure s;
  for (int v = 0; v < problem.vertex_count(); ++v) s.config_counts.push_back(problem.config_count(v));
  for (const auto& e : problem.edges) s.edges.emplace_back(e.from, e.to);
  return s;
}

PointRunner::Shared& PointRunner::shared_for(const SweepPoint& point, double& load_seconds, bool& fresh) {
  for (auto it = cache_.begin(); it != cache_.end(); ++it)
    if (it->model == point.model && it->procs == point.procs && it->overrides == point.overrides) {
      cache_.splice(cache_.begin(), cache_, it);
      fresh = false;
      return cache_.front();
    }
  const auto start = Clock::now();
  Shared s;
  s.model = point.model;
  s.procs = point.procs;
  s.overrides = point.overrides;
  s.network = load_model(spec_.models[point.model].file, point.overrides);
  load_seconds = seconds_since(start);
  cache_.push_front(std::move(s));
  if (cache_.size() > capacity_) cache_.pop_back();
  fresh = true;
  return cache_.front();
}

SweepRow PointRunner::run(std::uint64_t index) {
  const SweepPoint& point = points_.at(index);
  const SearchSettings settings = search_settings(spec_, point);
  ++stats_.points;

  SweepRow row;
  row.point = index;
  row.model = spec_.models[point.model].label;
  row.procs = point.procs;
  row.flops_tflops = point.cluster.flops_tflops;
  row.bw_gbytes = point.cluster.bw_gbytes;
  row.cluster = point.cluster_name;
  row.cost_model = point.hardware ? "hardware" : "paper";
  row.rank = rank_;
  row.params.assign(spec_.param_columns.size(), missing_param);

  try {
    double load_seconds = 0;
    bool fresh = false;
    Shared& shared = shared_for(point, load_seconds, fresh);
    for (std::size_t c = 0; c < spec_.param_columns.size(); ++c) {
      const auto it = shared.network.params.find(spec_.param_columns[c]);
      if (it != shared.network.params.end()) row.params[c] = it->second;
    }

    // make_report reads the network and plan from a SearchRun: lend them and take them back.
    SearchRun run;
    run.network = std::move(shared.network);
    struct GiveBack {
      Shared& shared;
      SearchRun& run;
      bool plan = true;  // run.plan is the group's shared plan
      ~GiveBack() {
        shared.network = std::move(run.network);
        if (plan && run.plan.steps.size() > 0) shared.plan = std::move(run.plan);
      }
    } give_back{shared, run};

    const auto build_start = Clock::now();
    run.model = build_problem(run.network, settings.problem);
    run.build_seconds = load_seconds + seconds_since(build_start);

    const auto search_start = Clock::now();
    Structure structure = structure_of(run.model.problem);
    if (shared.plan && shared.structure == structure) {
      run.plan = std::move(*shared.plan);
      row.plan_shared = true;
      ++stats_.plans_shared;
    } else {
      run.plan = plan_in_order(run.model.problem, settings.order).plan;
      shared.structure = std::move(structure);
      ++stats_.plans_built;
    }
    // The unpruned plan stays shared by the group; a pruned problem is this point's own.
    run.unpruned_dp_cells = run.plan.totals.dp_cells;
    if (should_prune(settings.prune, run.unpruned_dp_cells)) {
      shared.plan = std::move(run.plan);
      run.pruned = prune_dominated(run.model.problem);
      run.plan = plan_in_order(run.searched(), settings.order).plan;
      give_back.plan = false;
    } else {
      run.pruned = unpruned(run.model.problem);
    }
    if (max_memory_bytes_ > 0 && run.plan.totals.peak_bytes > max_memory_bytes_) {
      row.status = "memory_limit";
      row.message = "the DP tables need " + format_bytes(run.plan.totals.peak_bytes) + " at their peak, more than " +
                    format_bytes(max_memory_bytes_) + "; raise --max-memory (or search.max_memory) and rerun";
      row.peak_bytes = run.plan.totals.peak_bytes;
      row.dp_cells = run.plan.totals.dp_cells;
      return row;
    }
    run.solution = solve(run.searched(), run.plan);
    expand_solution(run);
    run.search_seconds = seconds_since(search_start);

    const SearchReport report = make_report(settings, run);
    row.total_cost = report.total_cost;
    row.step_time_s = report.step_time_s;
    row.data_parallel_cost = report.data_parallel_cost;
    row.data_parallel_step_time_s = report.data_parallel_step_time_s;
    row.speedup_over_data_parallel = report.speedup_over_data_parallel;
    row.search_seconds = report.search_seconds;
    row.build_seconds = report.build_seconds;
    row.dp_cells = run.solution.dp_cells;
    row.peak_bytes = run.plan.totals.peak_bytes;
    row.strategy = strategy_json(report);
  } catch (const std::bad_alloc&) {
    row.status = "memory_limit";
    row.message = "out of memory; lower search.max_memory so that such points are refused early";
  } catch (const std::exception& e) {
    row.status = "error";
    row.message = e.what();
  }
  return row;
}

}  // namespace pase
