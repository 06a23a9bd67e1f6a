#include "pase/stages/stage_problem.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>

#include "pase/cost/configs.hpp"
#include "pase/model/model_file.hpp"
#include "pase/pipeline/search_pipeline.hpp"

namespace pase {

StageUnits stage_units(const Network& network) {
  const int n = static_cast<int>(network.layers.size());
  // Per tensor (producer, output): its last consumer.
  std::map<std::pair<int, int>, int> last_use;
  for (int v = 0; v < n; ++v)
    for (const TensorSource& src : network.layers[v].inputs)
      if (src.layer >= 0) {
        int& last = last_use[{src.layer, src.output}];
        last = std::max(last, v);
      }
  std::vector<char> inside_block(n, 0);  // a cut after v would fall inside a transformer layer
  for (const LayerRange& t : transformer_layers(network))
    for (int v = t.first; v < t.last; ++v) inside_block[v] = 1;
  std::vector<char> edge_crosses(n, 0);
  for (const ExplicitEdge& e : network.edges)
    for (int v = std::min(e.from, e.to); v < std::max(e.from, e.to); ++v) edge_crosses[v] = 1;

  StageUnits out;
  int first = 0;
  for (int p = 0; p < n; ++p) {
    TensorSource crossing;
    int crossings = 0;
    if (p + 1 < n) {
      for (const auto& [tensor, last] : last_use)
        if (tensor.first <= p && last > p && ++crossings == 1) crossing = {tensor.first, tensor.second, false};
      if (crossings != 1 || inside_block[p] || edge_crosses[p]) continue;
    }
    out.units.push_back({first, p});
    out.boundary.push_back(p + 1 < n ? crossing : TensorSource{});
    std::string signature;
    for (int v = first; v <= p; ++v) {
      signature += network.layers[v].signature + "(";
      for (const TensorSource& src : network.layers[v].inputs)
        signature += (src.layer >= first ? std::to_string(src.layer - first) : std::string("in")) + ":" +
                     std::to_string(src.output) + (src.weight ? "w" : "") + ",";
      signature += ")|";
    }
    out.signatures.push_back(std::move(signature));
    first = p + 1;
  }
  return out;
}

Network sub_network(const Network& network, LayerRange range) {
  Network out;
  out.name = network.name;
  out.file = network.file;
  out.params = network.params;
  out.cutoff = network.cutoff;
  for (int v = range.first; v <= range.last; ++v) {
    Layer layer = network.layers[v];
    for (TensorSource& src : layer.inputs)
      src.layer = src.layer >= range.first ? src.layer - range.first : -1;  // received from the stage before
    out.layers.push_back(std::move(layer));
  }
  for (ExplicitEdge e : network.edges)
    if (e.from >= range.first && e.from <= range.last && e.to >= range.first && e.to <= range.last) {
      e.from -= range.first;
      e.to -= range.first;
      out.edges.push_back(std::move(e));
    }
  return out;
}

ModelProblem sub_model(const ModelProblem& model, LayerRange range) {
  ModelProblem out;
  auto slice = [&](const auto& rows) { return std::decay_t<decltype(rows)>(rows.begin() + range.first, rows.begin() + range.last + 1); };
  out.problem.vertices = slice(model.problem.vertices);
  out.configs = slice(model.configs);
  out.data_parallel = slice(model.data_parallel);
  if (!model.times.empty()) out.times = slice(model.times);
  std::set<const std::vector<double>*> matrices;
  for (const ProblemEdge& e : model.problem.edges) {
    if (e.from < range.first || e.from > range.last || e.to < range.first || e.to > range.last) continue;
    out.problem.edges.push_back({e.from - range.first, e.to - range.first, e.costs});
    if (matrices.insert(e.costs.get()).second) out.edge_bytes += e.costs->size() * sizeof(double);
  }
  return out;
}

StagePricer::StagePricer(const SearchSettings& settings) : settings_(settings) {
  if (!settings.problem.hardware)
    throw std::invalid_argument("--stages auto: needs the hardware cost model (--cluster with a pase-cluster preset or file)");
  network_ = load_model(settings.model_file, settings.overrides);
  const Network& network = network_;
  const auto batch = network.params.find("batch");
  if (batch == network.params.end())
    throw std::invalid_argument(settings.model_file +
                                ": --stages auto needs the model parameter 'batch' (the step's batch, cut into micro-batches)");
  batch_ = batch->second;
  units_ = stage_units(network);
  std::map<std::string, int> ids;
  std::vector<int> unit_ids;
  for (const std::string& s : units_.signatures) unit_ids.push_back(ids.emplace(s, static_cast<int>(ids.size())).first->second);
  range_id_ = range_ids(unit_ids);
}

LayerRange StagePricer::layers(int first_unit, int last_unit) const {
  return {units_.units[first_unit].first, units_.units[last_unit].last};
}

const PricedNetwork& StagePricer::priced(std::int64_t microbatch_size, int devices, StageStrategy strategy) {
  std::vector<std::string> overrides =
      strategy == StageStrategy::megatron ? megatron_overrides(network_, settings_.overrides, devices) : settings_.overrides;
  auto& slot = networks_[{microbatch_size, devices, overrides}];
  if (!slot)
    slot = std::make_unique<PricedNetwork>(price_network(settings_.model_file, std::move(overrides), microbatch_size,
                                                         devices, *settings_.problem.hardware,
                                                         settings_.device_memory.recipe,
                                                         settings_.device_memory.reserve_bytes));
  return *slot;
}

double StagePricer::send_s(const PricedStage& stage, int first_unit, int last_unit, int data_parallel,
                           bool crosses_nodes) const {
  const PricedNetwork& p = *stage.network;
  const TensorSource boundary = units_.boundary[last_unit];
  const HardwarePricing& pricing = *p.options.hardware;
  const Operator& op = *p.network.layers[boundary.layer].model;
  const int first_layer = units_.units[first_unit].first;
  if (boundary.layer < first_layer) throw std::logic_error("stage search: a stage hands on a tensor it did not make");
  const Config& config = p.model.configs[boundary.layer][stage.configs[boundary.layer - first_layer]];
  double whole = pricing.bytes_per_element();
  for (auto d : op.output_shapes()[boundary.output]) whole *= static_cast<double>(d);
  const double parts = static_cast<double>(product(op.output_split(boundary.output, config)));
  return stage_send_s(pricing, whole, parts, p.devices, p.devices, data_parallel, crosses_nodes);
}

SearchRun StagePricer::search_range(LayerRange layers, int devices, std::int64_t microbatch_size) {
  const PricedNetwork& p = priced(microbatch_size, devices);
  SearchSettings s = settings_;
  s.problem = p.options;
  s.problem.max_memory_bytes = settings_.problem.max_memory_bytes;
  // One thread: the stage search runs thousands of small DPs (a stage's blocks reduced to one), on
  // which OpenMP's fork and join per DP step cost more than they gain (and its waiting threads spin:
  // on a loaded machine the search took 5 times as long). The result does not depend on it.
  s.dp.threads = 1;
  // Repeated blocks inside the stage are eliminated once (exact, search/blocks.hpp): a stage of many
  // identical transformer layers costs about one layer's DP.
  s.blocks = BlockMode::automatic;
  SearchRun run;
  run.network = sub_network(p.network, layers);
  run.model = sub_model(p.model, layers);
  plan_problem(s, run);
  SingleProcess single;
  solve_planned(s, run, single);
  ++searches_;
  return run;
}

const char* to_string(StageStrategy strategy) { return strategy == StageStrategy::search ? "search" : "megatron"; }

const PricedStage& StagePricer::stage(int first_unit, int last_unit, int devices, std::int64_t microbatch_size,
                                      Recompute recompute, StageStrategy strategy, bool sequence_parallel,
                                      int data_parallel) {
  const int range_id = range_id_[static_cast<std::size_t>(first_unit) * units_.units.size() + last_unit];
  // A stage's time and memory read the replicas only as whether there are any (their gradients'
  // all-reduce buffer): one price for every data-parallel degree above 1.
  const bool replicated = data_parallel > 1;
  auto [it, fresh] =
      stages_.try_emplace({microbatch_size, devices, range_id, recompute, strategy, sequence_parallel, replicated});
  PricedStage& out = it->second;
  if (!fresh) return out;
  const LayerRange range = layers(first_unit, last_unit);
  const PricedNetwork& p = priced(microbatch_size, devices, strategy);
  out.network = &p;
  // Weights, gradients and optimizer state in each layer's smallest configuration: no strategy of
  // the stage holds less, so above the capacity no strategy fits and there is nothing to search.
  double least_static = p.memory.reserve_bytes;
  for (int v = range.first; v <= range.last; ++v) {
    double least = std::numeric_limits<double>::infinity();
    for (const LayerMemory& m : p.memory.keep[v]) least = std::min(least, m.weights + m.gradients + m.optimizer);
    least_static += least;
  }
  const double capacity = settings_.device_memory.capacity_bytes;
  if (capacity > 0 && least_static > capacity) {
    out.cost.runs = false;
    out.cost.static_bytes_per_device = least_static;
    return out;
  }
  if (strategy == StageStrategy::megatron) {
    try {
      const std::vector<int> all = megatron_configs(p.network, p.model, devices, sequence_parallel, range);
      out.configs.assign(all.begin() + range.first, all.begin() + range.last + 1);
    } catch (const std::invalid_argument&) {
      out.cost.runs = false;  // the layers' shapes do not split over these devices Megatron-LM's way
      return out;
    }
    return price(out, range, p, recompute, sequence_parallel, devices, replicated);
  }
  auto [found, unsearched] = searched_.try_emplace({microbatch_size, devices, range_id});
  if (unsearched) {
    const SearchRun run = search_range(range, devices, microbatch_size);
    for (int v = range.first; v <= range.last; ++v)
      if (run.model.configs[v - range.first].size() != p.model.configs[v].size())
        throw std::logic_error("stage search: the stage's configurations differ from the network's");
    found->second.configs = run.solution.configs;
    found->second.search_total = run.solution.total_cost;
  }
  out.configs = found->second.configs;
  out.search_total = found->second.search_total;
  return price(out, range, p, recompute, sequence_parallel, devices, replicated);
}

std::vector<int> StagePricer::network_configs(LayerRange range, const PricedStage& stage) const {
  std::vector<int> out(units_.units.back().last + 1, 0);
  std::copy(stage.configs.begin(), stage.configs.end(), out.begin() + range.first);
  return out;
}

PricedStage& StagePricer::price(PricedStage& out, LayerRange range, const PricedNetwork& p, Recompute recompute,
                                bool sequence_parallel, int devices, bool replicated) const {
  // The step model's memory grows linearly with the in-flight micro-batches: priced with one and with
  // two, the difference is a micro-batch's activations, the rest is held whatever the schedule (full
  // recomputation's one transformer layer run again included).
  PipelineOptions options;
  options.recompute = recompute;
  options.sequence_parallel = sequence_parallel;
  options.data_parallel = replicated ? 2 : 1;
  const StageSpec spec{{range}, &p, network_configs(range, out)};
  const StagePlan one = price_stage(spec, options, 0, devices);
  options.schedule = {2, 2, 1};
  const StagePlan two = price_stage(spec, options, 0, devices);
  out.cost.microbatch_time_s = one.microbatch_time_s;
  out.cost.activation_bytes_per_microbatch = two.memory.total() - one.memory.total();
  out.cost.static_bytes_per_device = one.memory.total() - out.cost.activation_bytes_per_microbatch;
  out.cost.runs = true;
  return out;
}

}  // namespace pase
