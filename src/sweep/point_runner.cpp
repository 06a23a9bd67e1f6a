#include "pase/sweep/point_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "pase/bytes.hpp"
#include "pase/model/model_file.hpp"
#include "pase/report/auto_stages_report.hpp"
#include "pase/report/device_memory.hpp"

namespace pase {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// What a row keeps of the capacity search (the recommended strategy's peak is make_report's, which
// may prefer data parallelism when it fits and is faster).
void record_memory(const DeviceMemoryResult& memory, double unconstrained_cost, SweepRowMemory& out) {
  out.capacity_bytes = memory.settings.capacity_bytes;
  out.memory_per_device_bytes = memory.feasible ? memory.memory.total() : memory.smallest_peak_bytes;
  out.unconstrained_fits = memory.unconstrained_fits;
  out.unconstrained_cost = unconstrained_cost;
  if (memory.feasible) {
    out.lower_bound = memory.lower_bound;
    out.relative_gap = memory.relative_gap();
  }
  out.dp_solves = memory.dp_solves;
  out.seconds = memory.seconds;
  for (const Baseline& b : memory.baselines) {
    if (b.name == "data_parallel") {
      out.data_parallel_fits = b.fits;
      out.data_parallel_bytes = b.memory.total();
    } else if (b.name == "fsdp") {
      out.fsdp_fits = b.fits;
      out.fsdp_bytes = b.memory.total();
      out.fsdp_step_time_s = b.step_time_s();
    }
  }
}

// The row's parameter columns: the network's values.
void record_params(const SweepSpec& spec, const Network& network, SweepRow& row) {
  for (std::size_t c = 0; c < spec.param_columns.size(); ++c) {
    const auto it = network.params.find(spec.param_columns[c]);
    if (it != network.params.end()) row.params[c] = it->second;
  }
}

void record_megatron(const Baseline& megatron, SweepRowPipeline& out) {
  out.megatron_setup = megatron.setup;
  out.megatron_fits = megatron.fits;
  out.megatron_step_time_s = megatron.step_time_s();
  out.megatron_bytes = megatron.memory.total();
}

// A point of the stage search (search.stages: auto), as `pase search --stages auto` reports it.
void run_stages(const SearchSettings& settings, SweepRow& row) {
  const AutoStagesReport report = auto_stages_report(settings);
  row.search_seconds = report.found.seconds;
  // Without a capacity (search.memory_per_device: 0) the memory is not checked: the row has none.
  const bool checked = settings.device_memory.capacity_bytes > 0;
  SweepRowMemory unchecked;
  SweepRowMemory& m = checked ? row.memory : unchecked;
  m.capacity_bytes = settings.device_memory.capacity_bytes;
  if (!report.found.plan) {
    row.status = "does_not_fit";
    row.message = "device memory: " + report.found.nothing_fits +
                  "; use more devices, a smaller batch or a leaner recipe (search.optimizer)";
    return;
  }
  const EvaluationReport& r = report.evaluation;
  const PipelinePlan& plan = *r.pipeline;
  row.total_cost = row.step_time_s = r.step_time_s;
  m.memory_per_device_bytes = r.memory.total();
  if (const auto& dp = report.data_parallel) {
    row.data_parallel_cost = row.data_parallel_step_time_s = dp->step_time_s();
    row.speedup_over_data_parallel = dp->fits ? report.speedup_over_data_parallel() : std::numeric_limits<double>::quiet_NaN();
    m.data_parallel_fits = dp->fits;
    m.data_parallel_bytes = dp->memory.total();
  }
  if (const Baseline* best = report.best_baseline()) m.speedup_over_best_baseline = best->step_time_s() / r.step_time_s;
  SweepRowPipeline& p = row.pipeline;
  p.stages = plan.schedule.stages;
  p.stage_devices = r.megatron->tp;
  p.replicas = plan.data_parallel;
  p.microbatches = plan.schedule.microbatches;
  p.microbatch_size = report.microbatch_size;
  p.bubble_fraction = plan.bubble_fraction;
  p.recompute = to_string(report.found.recompute);
  p.sequence_parallel = report.found.sequence_parallel;
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < plan.stages.size(); ++i) {
    const StagePlan& st = plan.stages[i];
    stages.push_back({{"first", r.layer_names[st.first_layer]},
                      {"last", r.layer_names[st.last_layer]},
                      {"layers", st.last_layer - st.first_layer + 1},
                      {"devices", st.devices},
                      {"microbatch_time_s", st.microbatch_time_s},
                      {"memory_bytes_per_device", st.memory.total()},
                      {"strategy", to_string(report.found.stage_strategies.at(i))}});
  }
  p.stage_table = stages.dump();
  if (report.megatron) record_megatron(*report.megatron, p);
}

}  // namespace

std::string strategy_json(const SearchReport& report) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (const auto& layer : report.layers) doc[layer.name] = layer.config;
  return doc.dump();
}

PointRunner::PointRunner(const SweepPoints& points, std::uint64_t max_memory_bytes, int rank, std::size_t cached_groups)
    : spec_(points.spec()), points_(points), max_memory_bytes_(max_memory_bytes), rank_(rank), capacity_(cached_groups) {}

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

// The pipeline's plan cache for one group: the plan of its last unpruned problem, by structure.
class PointRunner::GroupPlans final : public PlanCache {
 public:
  explicit GroupPlans(Shared& shared) : shared_(shared) {}
  std::optional<PlannedOrder> find(const Problem& problem) override {
    if (!shared_.planned || !(shared_.structure == structure_of(problem))) return std::nullopt;
    hit = true;
    return shared_.planned;
  }
  void keep(const Problem& problem, const PlannedOrder& planned) override {
    shared_.structure = structure_of(problem);
    shared_.planned = planned;
  }
  bool hit = false;

 private:
  Shared& shared_;
};

SweepRow PointRunner::run(std::uint64_t index) {
  const SweepPoint point = points_.at(index);
  const SearchSettings settings = search_settings(spec_, point, max_memory_bytes_);
  ++stats_.points;

  SweepRow row;
  row.point = index;
  row.model = spec_.models[point.model].label;
  row.procs = point.procs;
  row.speeds = point.cluster;
  row.cluster = point.cluster_name;
  row.cost_model = point.hardware ? "hardware" : "paper";
  row.rank = rank_;
  row.params.assign(spec_.param_columns.size(), missing_param);

  try {
    if (settings.stages == StageMode::automatic) {
      record_params(spec_, load_model(settings.model_file, settings.overrides), row);
      run_stages(settings, row);
      return row;
    }
    double load_seconds = 0;
    bool fresh = false;
    Shared& shared = shared_for(point, load_seconds, fresh);
    record_params(spec_, shared.network, row);

    // The group's network is lent to the run and taken back, whatever happens.
    SearchRun run;
    run.network = std::move(shared.network);
    struct GiveBack {
      Shared& shared;
      SearchRun& run;
      ~GiveBack() { shared.network = std::move(run.network); }
    } give_back{shared, run};

    run.build_seconds = load_seconds;
    GroupPlans plans(shared);
    plan_network(settings, run, &plans);
    row.plan_shared = plans.hit;
    ++(plans.hit ? stats_.plans_shared : stats_.plans_built);
    row.peak_bytes = run.plan.totals.peak_bytes;
    row.dp_cells = run.plan.totals.dp_cells;
    const MemoryVerdict memory = memory_verdict(settings, run, 1);
    if (!memory.fits) {
      row.status = "memory_limit";
      row.message = "the search needs " + format_bytes(memory.peak_bytes) + " (DP tables at their peak and " +
                    format_bytes(edge_matrix_bytes(run)) + " of edge matrices), more than " +
                    format_bytes(memory.cap_bytes) + "; raise --max-memory (or search.max_memory) and rerun";
      return row;
    }
    SingleProcess single;
    solve_planned(settings, run, single);
    row.search_seconds = run.search_seconds;
    row.build_seconds = run.build_seconds;
    row.dp_cells = run.solution.dp_cells;

    // The devices' memory, as pase search: the capacity search, and a row that says when nothing fits.
    std::optional<DeviceMemoryResult> device;
    if (settings.device_memory.capacity_bytes > 0) {
      device = search_within_capacity(settings, run, single);
      record_memory(*device, run.solution.total_cost, row.memory);
      for (const Baseline& b : device->baselines)
        if (b.name == "megatron") record_megatron(b, row.pipeline);
      if (!device->feasible) {
        row.status = "does_not_fit";
        row.message = does_not_fit_message(settings, *device);
        return row;
      }
    }
    const SearchReport report = make_report(settings, run, device ? &*device : nullptr);
    row.total_cost = report.total_cost;
    row.step_time_s = report.step_time_s;
    row.data_parallel_cost = report.data_parallel_cost;
    row.data_parallel_step_time_s = report.data_parallel_step_time_s;
    row.speedup_over_data_parallel = report.speedup_over_data_parallel;
    row.strategy = strategy_json(report);
    if (report.device_memory) {
      row.memory.memory_per_device_bytes = report.device_memory->memory.total();
      if (!row.memory.data_parallel_fits) row.speedup_over_data_parallel = std::numeric_limits<double>::quiet_NaN();
      double best = std::numeric_limits<double>::infinity();
      for (const Baseline& b : report.device_memory->baselines)
        if (b.fits) best = std::min(best, b.step_time_s());
      if (std::isfinite(best) && report.step_time_s > 0) row.memory.speedup_over_best_baseline = best / report.step_time_s;
    }
  } catch (const MemoryLimitExceeded& e) {
    row.status = "memory_limit";
    row.message = std::string(e.what());
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
