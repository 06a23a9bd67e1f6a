#include "pase/report/report_output.hpp"

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "pase/bytes.hpp"
#include "pase/cluster/cluster.hpp"
#include "pase/io/atomic_replace.hpp"
#include "pase/report/report_text.hpp"
#include "pase/saturating.hpp"

namespace pase {

namespace {

void print_header(std::ostream& out, const std::string& model, const std::string& file, const SearchSettings& s,
                  const Parameters& params, const std::string& order_text) {
  print_model_and_cluster(out, model, file, s, params);
  out << "order      " << order_text << "\n";
}

void print_pruning(std::ostream& out, const PruningTotals& t) {
  if (!t.applied) {
    out << "pruning    none (--prune " << to_string(t.mode) << "; "
        << (t.mode == PruneMode::never ? "off" : "the unpruned plan is small") << ")\n";
    return;
  }
  out << "pruning    " << t.configs_before << " -> " << t.configs_after
      << " configurations (dominated ones dropped, exact; " << t.passes << " passes); " << format_count(t.unpruned_dp_cells)
      << " DP cells unpruned\n";
}

void print_blocks(std::ostream& out, const BlockTotals& t) {
  if (t.blocks == 0) {
    out << "blocks     none (--blocks " << to_string(t.mode) << "; "
        << (t.mode == BlockMode::never ? "off" : "no repeated block makes the plan smaller") << ")\n";
    return;
  }
  out << "blocks     " << t.blocks << " repeated blocks reduced to edges (" << t.distinct << " distinct eliminated once, "
      << format_count(t.reduction_cells) << " DP cells, exact); DP cells " << format_count(t.dp_cells_before) << " -> "
      << format_count(t.dp_cells_after) << "\n";
}

// The fastest baseline that fits the devices' memory, if any.
const Baseline* best_baseline(const SearchReport& r) {
  if (!r.device_memory) return nullptr;
  const Baseline* best = nullptr;
  for (const Baseline& b : r.device_memory->baselines)
    if (b.fits && (!best || b.step_time_s() < best->step_time_s())) best = &b;
  return best;
}

void print_device_memory(std::ostream& out, const SearchReport& r) {
  const DeviceMemoryResult& d = *r.device_memory;
  int recomputed = 0;
  for (char x : d.recompute) recomputed += x ? 1 : 0;
  out << "memory     " << gb(d.memory.total()) << " of " << gb(d.settings.capacity_bytes) << " a device ("
      << d.settings.recipe.precision << " " << d.settings.recipe.optimizer << "): " << memory_text(d.memory);
  if (recomputed > 0) out << "; " << recomputed << " layers recompute";
  out << "\n";
  if (d.unconstrained_fits)
    out << "           the unconstrained optimum fits: no constraint needed\n";
  else
    out << "           constrained: proven gap " << fixed(100.0 * d.relative_gap(), 3) << "% to the best that fits ("
        << d.dp_solves << " DPs, " << fixed(d.seconds, 3) << " s more)\n";
  print_baselines(out, d.baselines);
}

void print_plan_totals(std::ostream& out, const PlanTotals& t) {
  out << "plan       largest dependent set " << t.largest_dependent_set << ", largest table "
      << format_count(t.largest_table_entries) << " entries, " << format_count(t.dp_cells) << " DP cells, search memory "
      << format_bytes(t.peak_bytes) << " (cost tables " << format_bytes(t.peak_cost_table_bytes)
      << ", back-substitution " << format_bytes(t.argmin_bytes) << ")\n";
}

// Largest over mean: 1 is perfect balance.
double imbalance(const std::vector<RankStats>& ranks, double RankStats::*field) {
  double max = 0, sum = 0;
  for (const auto& r : ranks) {
    max = std::max(max, r.*field);
    sum += r.*field;
  }
  return sum > 0 ? max * static_cast<double>(ranks.size()) / sum : 1.0;
}

double cells_imbalance(const std::vector<RankStats>& ranks) {
  std::vector<double> cells;
  for (const auto& r : ranks) cells.push_back(static_cast<double>(r.dp_cells));
  double max = 0, sum = 0;
  for (double c : cells) {
    max = std::max(max, c);
    sum += c;
  }
  return sum > 0 ? max * static_cast<double>(cells.size()) / sum : 1.0;
}

void print_ranks(std::ostream& out, const std::vector<RankStats>& ranks) {
  if (ranks.size() < 2) return;
  out << "ranks      " << ranks.size() << " (work imbalance " << fixed(cells_imbalance(ranks), 3) << ", time imbalance "
      << fixed(imbalance(ranks, &RankStats::compute_s), 3) << ")\n";
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    const RankStats& r = ranks[i];
    out << "  rank " << i << ": peak tables " << format_bytes(r.peak_table_bytes) << ", sent "
        << format_bytes(r.bytes_sent) << ", received " << format_bytes(r.bytes_received) << ", compute "
        << fixed(r.compute_s, 4) << " s, communicate " << fixed(r.comm_s, 4) << " s, " << format_count(r.dp_cells) << " cells\n";
  }
}

std::string placement_text(const std::vector<SplitPlacement>& placement) {
  std::string s;
  for (const auto& p : placement)
    s += (s.empty() ? "" : " ") + std::string(1, p.letter) + std::to_string(p.ways) +
         (p.nodes > 1 ? "@" + std::to_string(p.nodes) + "n" : "@in");
  return s.empty() ? "-" : s;
}

std::string breakdown_text(const StepBreakdown& b) {
  return "compute " + fixed(b.compute_s * 1e3, 4) + " ms, communication " + fixed(b.communication_s * 1e3, 4) +
         " ms, exposed " + fixed(b.exposed_communication_s * 1e3, 4) + " ms" +
         (b.overlap_compute_loss_s > 0
              ? " (compute includes " + fixed(b.overlap_compute_loss_s * 1e3, 4) + " ms taken by hidden all-reduces)"
              : "");
}

std::string devices_text(std::int64_t used, std::int64_t procs) {
  return used < procs ? " (uses " + std::to_string(used) + " of " + std::to_string(procs) + " devices; " +
                            std::to_string(procs - used) + " idle)"
                      : "";
}

}  // namespace

void print_baselines(std::ostream& out, const std::vector<Baseline>& baselines) {
  for (const Baseline& b : baselines)
    out << (&b == &baselines.front() ? "baselines  " : "           ") << std::setw(14) << b.name << " "
        << gb(b.memory.total()) << (b.fits ? " fits, " : " DOES NOT FIT, ") << fixed(b.step_time_s() * 1e3, 4)
        << " ms a step" << (b.setup.empty() ? "" : " (" + b.setup + ")") << "\n";
}

void print_report(std::ostream& out, const SearchReport& r) {
  print_header(out, r.model, r.file, r.settings, r.params, r.order_text);
  const bool hardware = r.cost_model == CostModel::hardware;
  std::size_t name_width = 5, op_width = 2, dims_width = 4, config_width = 6;
  for (const auto& l : r.layers) {
    name_width = std::max(name_width, l.name.size());
    op_width = std::max(op_width, l.op.size());
    dims_width = std::max(dims_width, l.letters.size());
    config_width = std::max(config_width, join(l.config).size());
  }
  out << "\n" << std::left << std::setw(static_cast<int>(name_width + 2)) << "layer"
      << std::setw(static_cast<int>(op_width + 2)) << "op" << std::setw(static_cast<int>(dims_width + 2)) << "dims"
      << std::setw(static_cast<int>(config_width + 2)) << "config" << std::right << std::setw(12)
      << (hardware ? "cost (s)" : "cost (FLOP)") << std::setw(9) << "share" << (hardware ? "  placement" : "") << "\n";
  for (const auto& l : r.layers) {
    out << std::left << std::setw(static_cast<int>(name_width + 2)) << l.name << std::setw(static_cast<int>(op_width + 2))
        << l.op << std::setw(static_cast<int>(dims_width + 2)) << l.letters
        << std::setw(static_cast<int>(config_width + 2)) << join(l.config) << std::right << std::setw(12)
        << scientific(l.cost, 3) << std::setw(8) << fixed(100.0 * l.share, 2) << "%";
    if (hardware) out << "  " << placement_text(l.placement);
    if (l.recompute) out << "  recomputes";
    out << "\n";
  }
  const std::int64_t procs = r.settings.problem.procs;
  if (hardware) {
    out << std::left << "\n"
        << "step time  " << fixed(r.step_time_s * 1e3, 4) << " ms: " << breakdown_text(r.breakdown)
        << devices_text(r.devices_used, procs) << (r.data_parallel_chosen ? " (data parallelism: with overlap it beats the DP's strategy)" : "") << "\n"
        << "data par.  " << fixed(r.data_parallel_step_time_s * 1e3, 4)
        << " ms: " << breakdown_text(r.data_parallel_breakdown) << devices_text(r.data_parallel_devices_used, procs)
        << "\n";
  } else {
    out << std::left << "\n"
        << "total cost " << scientific(r.total_cost, 6) << " FLOP, step time " << fixed(r.step_time_s * 1e3, 4) << " ms"
        << devices_text(r.devices_used, procs) << "\n"
        << "data par.  " << scientific(r.data_parallel_cost, 6) << " FLOP, step time "
        << fixed(r.data_parallel_step_time_s * 1e3, 4) << " ms" << devices_text(r.data_parallel_devices_used, procs)
        << "\n";
  }
  if (r.device_memory) print_device_memory(out, r);
  if (r.device_memory && !r.device_memory->baselines.front().fits)
    out << "speedup    none over data parallelism: it does not fit";
  else
    out << "speedup    " << fixed(r.speedup_over_data_parallel, 3) << "x over data parallelism";
  if (const Baseline* best = best_baseline(r))
    out << "; " << fixed(best->step_time_s() / r.step_time_s, 3) << "x over " << best->name
        << " (the fastest baseline that fits)";
  else if (r.device_memory)
    out << "; no baseline fits";
  out << "\n";
  if (const Baseline* best = best_baseline(r); best && best->step_time_s() < r.step_time_s)
    out << "note       " << best->name << (best->setup.empty() ? "" : " (" + best->setup + ")") << " is "
        << fixed(100.0 * (1.0 - best->step_time_s() / r.step_time_s), 1)
        << "% faster than this per-layer strategy: the plain search has no micro-batches, sequence parallelism "
           "or FSDP's sharding; --stages auto searches micro-batches, pipeline stages, sequence parallelism "
           "and recomputation\n";
  out << "search     " << fixed(r.search_seconds, 6) << " s (ordering, DP, back-substitution); cost tables built in "
      << fixed(r.build_seconds, 6) << " s\n";
  print_pruning(out, r.pruning);
  print_blocks(out, r.blocks);
  print_plan_totals(out, r.plan);
  print_ranks(out, r.ranks);
}

void print_plan(std::ostream& out, const SearchSettings& settings, const SearchRun& run, int ranks) {
  print_header(out, run.network.name, run.network.file, settings, run.network.params, run.order_text);
  out << "vertices   " << run.model.problem.vertex_count() << ", edges " << run.model.problem.edges.size() << "\n";
  print_pruning(out, pruning_totals(settings, run));
  print_blocks(out, block_totals(settings, run));
  print_plan_totals(out, run.plan.totals);
  const auto predicted = predict_ranks(settings, run, ranks);
  const std::uint64_t peak = peak_rank_bytes(settings, run, ranks);
  out << "ranks      " << ranks << ": largest per-rank peak " << format_bytes(peak) << " (with "
      << format_bytes(edge_matrix_bytes(run)) << " of edge matrices on every rank)\n";
  if (ranks > 1)
    for (std::size_t i = 0; i < predicted.size(); ++i)
      out << "  rank " << i << ": peak " << format_bytes(predicted[i].peak_bytes) << ", sends "
          << format_bytes(predicted[i].bytes_sent) << ", receives " << format_bytes(predicted[i].bytes_received) << ", "
          << format_count(predicted[i].dp_cells) << " cells\n";
  if (settings.max_memory_bytes > 0) {
    out << "fits       " << (peak <= settings.max_memory_bytes ? "yes" : "NO") << " in --max-memory "
        << format_bytes(settings.max_memory_bytes) << " per rank";
    if (peak > settings.max_memory_bytes) {
      const int needed = ranks_needed_for(settings, run);
      out << (needed > 0 ? "; it fits on " + std::to_string(needed) + " ranks" : "; no rank count up to 4096 fits");
    }
    out << "\n";
  }
}

std::string report_json(const SearchReport& r) {
  using Json = nlohmann::ordered_json;
  const bool hardware = r.cost_model == CostModel::hardware;
  Json layers = Json::array();
  for (const auto& l : r.layers) {
    Json placement = Json::object();
    for (const auto& p : l.placement) placement[std::string(1, p.letter)] = {{"ways", p.ways}, {"nodes", p.nodes}};
    layers.push_back({{"name", l.name}, {"op", l.op}, {"dims", l.letters}, {"config", l.config},
                      {"configs", l.config_count}, {"cost", l.cost},
                      {"share", l.share}, {"time_s", l.time_s}, {"placement", placement}});
    if (r.device_memory) {
      layers.back()["memory_bytes"] = l.memory_bytes;
      layers.back()["recompute"] = l.recompute;
    }
  }
  auto breakdown = [](const StepBreakdown& b) {
    Json j{{"compute_s", b.compute_s}, {"communication_s", b.communication_s},
           {"exposed_communication_s", b.exposed_communication_s}};
    if (b.overlap_compute_loss_s > 0) j["overlap_compute_loss_s"] = b.overlap_compute_loss_s;
    return j;
  };
  Json params = Json::object();
  for (const auto& [name, value] : r.params) params[name] = value;
  Json per_rank = Json::array();
  for (const auto& k : r.ranks)
    per_rank.push_back({{"peak_table_bytes", k.peak_table_bytes}, {"bytes_sent", k.bytes_sent},
                        {"bytes_received", k.bytes_received}, {"compute_s", k.compute_s}, {"comm_s", k.comm_s},
                        {"dp_cells", k.dp_cells}});
  const Cluster& c = r.settings.problem.cluster;
  Json doc = {
      {"model", r.model},
      {"file", r.file},
      {"params", params},
      {"procs", r.settings.problem.procs},
      {"cost_model", to_string(r.cost_model)},
      {"cluster", hardware ? Json(r.cluster_name) : Json(nullptr)},
      {"precision", hardware ? Json(precision_name(r.settings.problem.hardware->precision())) : Json(nullptr)},
      {"devices_used", r.devices_used},
      {"flop_per_word", c.flop_per_word()},
      {"order", to_string(r.order)},
      {"stages", to_string(r.settings.stages)},
      {"parallel_edges", r.settings.problem.parallel_edges == ParallelEdges::last ? "last" : "sum"},
      {"total_cost", r.total_cost},
      {"step_time_s", r.step_time_s},
      {"step_breakdown", breakdown(r.breakdown)},
      {"data_parallel_chosen", r.data_parallel_chosen},
      {"data_parallel",
       {{"total_cost", r.data_parallel_cost},
        {"step_time_s", r.data_parallel_step_time_s},
        {"step_breakdown", breakdown(r.data_parallel_breakdown)},
        {"devices_used", r.data_parallel_devices_used}}},
      {"speedup_over_data_parallel", r.speedup_over_data_parallel},
      {"search_seconds", r.search_seconds},
      {"build_seconds", r.build_seconds},
      {"dp_cells", r.plan.dp_cells},
      {"pruning",
       {{"mode", to_string(r.pruning.mode)},
        {"applied", r.pruning.applied},
        {"dp_cells_unpruned", r.pruning.unpruned_dp_cells},
        {"configs_before", r.pruning.configs_before},
        {"configs_after", r.pruning.configs_after},
        {"passes", r.pruning.passes}}},
      {"plan",
       {{"largest_dependent_set", r.plan.largest_dependent_set},
        {"largest_table_entries", r.plan.largest_table_entries},
        {"peak_bytes", r.plan.peak_bytes}}},
      {"threads", r.settings.dp.threads},
      {"ranks", std::max<std::size_t>(1, r.ranks.size())},
      {"per_rank", per_rank},
      {"imbalance", {{"dp_cells", cells_imbalance(r.ranks)}, {"compute_s", imbalance(r.ranks, &RankStats::compute_s)}}},
      {"layers", layers},
  };
  for (const ClusterField& field : cluster_fields()) doc[field.key] = c.*field.value;
  if (r.device_memory) {
    const DeviceMemoryResult& d = *r.device_memory;
    auto kinds = [](const MemoryBreakdown& m) {
      return Json{{"weights", m.weights},         {"gradients", m.gradients}, {"optimizer", m.optimizer},
                  {"activations", m.activations}, {"buffers", m.buffers},     {"reserve", m.reserve}};
    };
    doc["memory"] = {{"per_device_bytes", d.memory.total()},
                     {"capacity_bytes", d.settings.capacity_bytes},
                     {"breakdown", kinds(d.memory)},
                     {"optimizer", d.settings.recipe.optimizer},
                     {"training_precision", d.settings.recipe.precision},
                     {"unconstrained_fits", d.unconstrained_fits},
                     {"lower_bound", d.lower_bound},
                     {"relative_gap", d.relative_gap()},
                     {"dp_solves", d.dp_solves},
                     {"constraint_seconds", d.seconds}};
    Json baselines = Json::array();
    for (const Baseline& b : d.baselines) {
      baselines.push_back({{"name", b.name},
                           {"fits", b.fits},
                           {"memory_per_device_bytes", b.memory.total()},
                           {"memory_breakdown", kinds(b.memory)},
                           {"step_time_s", b.step_time_s()}});
      if (!b.setup.empty()) baselines.back()["setup"] = b.setup;
    }
    doc["baselines"] = baselines;
    doc["data_parallel"]["fits"] = d.baselines.front().fits;
    if (!d.baselines.front().fits) doc["speedup_over_data_parallel"] = nullptr;
    const Baseline* best = best_baseline(r);
    doc["speedup_over_best_baseline"] = best ? Json(best->step_time_s() / r.step_time_s) : Json(nullptr);
  }
  // Only for model files that state their size (imports), so other models' JSON is unchanged.
  if (r.parameters >= 0)
    doc["model_size"] = {{"parameters", r.parameters}, {"forward_macs_per_sample", r.forward_macs_per_sample}};
  return doc.dump(1) + "\n";
}

void write_text_file(const std::string& path, const std::string& text) {
  // Written beside and renamed over: a run killed at any moment leaves the old file or the new one.
  const std::string tmp = temporary_path(path);
  std::ofstream out(tmp);
  if (!out) throw std::runtime_error(path + ": cannot write the output file (does its folder exist?)");
  out << text;
  out.close();
  if (!out) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": writing the output file failed");
  }
  replace_atomically(tmp, path);
}

}  // namespace pase
