#include "pase/stages/pipeline_step.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "pase/cluster/hardware_costs.hpp"
#include "pase/cost/step_time.hpp"
#include "pase/model/model_file.hpp"

namespace pase {

Recompute parse_recompute(const std::string& text, const std::string& option) {
  if (text == "none") return Recompute::none;
  if (text == "selective") return Recompute::selective;
  if (text == "full") return Recompute::full;
  throw std::invalid_argument(option + ": unknown recomputation '" + text + "'; use none, selective or full");
}

const char* to_string(Recompute recompute) {
  return recompute == Recompute::full ? "full" : recompute == Recompute::selective ? "selective" : "none";
}

PricedNetwork price_network(const std::string& model_file, std::vector<std::string> overrides,
                            std::int64_t microbatch_size, std::int64_t devices, const HardwarePricing& pricing,
                            const TrainingRecipe& recipe, double reserve_bytes) {
  PricedNetwork p;
  overrides.push_back("batch=" + std::to_string(microbatch_size));
  p.network = load_model(model_file, overrides);
  p.options.procs = devices;
  p.options.hardware.emplace(pricing);
  p.model = build_problem(p.network, p.options);
  p.memory = model_memory(p.network, p.model, p.options, recipe, reserve_bytes);
  p.devices = devices;
  return p;
}

namespace {

// A dimension of the sequence: of its length, lettered l (query positions) or m (key positions) as
// pase's GPT files and the Hugging Face importer name them (a size alone is ambiguous: Llama-7B's
// d_model is its sequence length).
bool sequence_dimension(const Operator& op, std::size_t d, std::int64_t sequence) {
  const std::string& letters = op.letters();
  return sequence > 0 && d < letters.size() && op.domain()[d] == sequence && (letters[d] == 'l' || letters[d] == 'm');
}

// The attention core's two sequence dimensions (l and m), or none.
std::optional<std::pair<std::size_t, std::size_t>> core_dimensions(const Operator& op, std::int64_t sequence) {
  std::optional<std::size_t> l, m;
  for (std::size_t d = 0; d < op.domain().size(); ++d)
    if (sequence_dimension(op, d, sequence)) (op.letters()[d] == 'l' ? l : m) = d;
  if (!l || !m) return std::nullopt;
  return std::pair{*l, *m};
}

// Whether a tensor of `op` (its split given by `split_of`) spans both of the core's dimensions.
template <class SplitOf>
bool squared(const Operator& op, std::int64_t sequence, SplitOf split_of) {
  const auto core = core_dimensions(op, sequence);
  if (!core) return false;
  Config c(op.domain().size(), 1);
  c[core->first] = 2;
  const bool along_l = product(split_of(c)) == 2;
  c[core->first] = 1;
  c[core->second] = 2;
  return along_l && product(split_of(c)) == 2;
}

double part_elements(const Shape& shape, const Config& split) {
  double elements = 1.0;
  for (std::size_t i = 0; i < shape.size(); ++i) elements *= static_cast<double>(shape[i]) / static_cast<double>(split[i]);
  return elements;
}

double whole_elements(const Shape& shape) {
  double elements = 1.0;
  for (auto d : shape) elements *= static_cast<double>(d);
  return elements;
}

// The bytes an attention-core layer keeps under selective recomputation: what it keeps anyway,
// without the tensors of two sequence dimensions.
double selective_activation_bytes(const Layer& layer, const Config& config, const TrainingRecipe& recipe,
                                  std::int64_t sequence) {
  const Operator& op = *layer.model;
  const MemoryWork m = op.memory(config);
  const bool output_squared =
      !op.output_shapes().empty() && squared(op, sequence, [&](const Config& c) { return op.output_split(0, c); });
  double kept = output_squared ? 0.0 : m.saved_elements;
  for (std::size_t i : m.saved_inputs) {
    if (i < layer.inputs.size() && layer.inputs[i].weight) continue;
    if (squared(op, sequence, [&](const Config& c) { return op.input_split(i, c); })) continue;
    kept += part_elements(op.input_shapes()[i], op.input_split(i, config));
  }
  return kept * recipe.activation_bytes;
}

// A repeated block's instance: "NAME.N." of a layer named NAME.N.rest, else empty.
std::string block_instance(const std::string& name) {
  const auto first = name.find('.');
  if (first == std::string::npos || first == 0) return "";
  const auto second = name.find('.', first + 1);
  if (second == std::string::npos || second == first + 1) return "";
  for (auto i = first + 1; i < second; ++i)
    if (name[i] < '0' || name[i] > '9') return "";
  return name.substr(0, second + 1);
}

// Splits only dimensions of the sequence length (not the batch): a sequence-parallel layer.
bool sequence_split(const Operator& op, const Config& config, std::int64_t sequence) {
  bool any = false;
  for (std::size_t d = 0; d < config.size(); ++d) {
    if (config[d] == 1) continue;
    if (d == op.batch_dimension() || !sequence_dimension(op, d, sequence)) return false;
    any = true;
  }
  return any;
}

// The elements of layer v's input i a device keeps: its part as the layer splits it, or, with
// sequence parallelism, the producer's sequence part when that is smaller (Korthikanti et al. 2022,
// sec. 4.2.2: the tensor-parallel layer keeps its input as the sequence-parallel layer left it and
// all-gathers it again in the backward pass, behind the computation). A tensor received from another
// stage arrives as each device's 1/devices share (stage_send_s), with sequence parallelism its part
// of the sequence, and is kept so: a stage's price reads only its own layers' configurations, as
// the stage search prices it.
double kept_input_elements(const PricedNetwork& p, const std::vector<int>& configs, const std::vector<char>& in_stage,
                           int v, std::size_t i, bool sequence_parallel, std::int64_t sequence) {
  const Layer& layer = p.network.layers[v];
  const Operator& op = *layer.model;
  const double part = part_elements(op.input_shapes()[i], op.input_split(i, p.model.configs[v][configs[v]]));
  const TensorSource& src = layer.inputs[i];
  if (!sequence_parallel || src.layer < 0) return part;
  if (!in_stage[src.layer])
    return std::min(part, whole_elements(op.input_shapes()[i]) / static_cast<double>(p.devices));
  const Operator& producer = *p.network.layers[src.layer].model;
  const Config& config = p.model.configs[src.layer][configs[src.layer]];
  if (!sequence_split(producer, config, sequence)) return part;
  const Config split = producer.output_split(src.output, config);
  return std::min(part, part_elements(producer.output_shapes()[src.output], split));
}

cluster::Tier network_tier(const cluster::HardwareCluster& c, std::int64_t senders) {
  cluster::Tier tier = c.inter_node;
  tier.devices_sharing_link =
      static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(senders, c.inter_node.devices_sharing_link)));
  return tier;
}

}  // namespace

double stage_send_s(const HardwarePricing& pricing, double whole_bytes, double parts, std::int64_t senders,
                    std::int64_t receivers, std::int64_t data_parallel, bool crosses) {
  const cluster::HardwareCluster& hw = pricing.cluster();
  const cluster::Tier tier =
      crosses ? network_tier(hw, std::min<std::int64_t>(hw.devices_per_node, senders * data_parallel)) : hw.intra_node;
  double one_way = cluster::transfer_s(tier, whole_bytes / static_cast<double>(senders));
  if (parts < static_cast<double>(senders) && receivers > 1) {
    const int nodes = static_cast<int>((receivers + hw.devices_per_node - 1) / hw.devices_per_node);
    one_way += 0.5 * pricing.all_reduce_s(whole_bytes, static_cast<int>(receivers), nodes,
                                          static_cast<int>(std::min<std::int64_t>(receivers, hw.devices_per_node)));
  }
  return 2.0 * one_way;
}

bool send_crosses_nodes(std::int64_t from, std::int64_t da, std::int64_t to, std::int64_t db, std::int64_t data_parallel,
                        std::int64_t node_devices) {
  for (std::int64_t replica = 0; replica < data_parallel; ++replica)
    for (std::int64_t i = 0; i < da; ++i)
      if ((from + replica * da + i) / node_devices != (to + replica * db + i % db) / node_devices) return true;
  return false;
}

bool attention_core(const Layer& layer, std::int64_t sequence) {
  return core_dimensions(*layer.model, sequence).has_value();
}

std::vector<LayerRange> transformer_layers(const Network& network) {
  std::vector<LayerRange> out;
  std::string current;
  for (int v = 0; v < static_cast<int>(network.layers.size()); ++v) {
    const std::string key = block_instance(network.layers[v].name);
    if (!key.empty() && key == current) {
      out.back().last = v;
    } else if (!key.empty()) {
      out.push_back({v, v});
    }
    current = key;
  }
  return out;
}

StagePlan price_stage(const StageSpec& stage, const PipelineOptions& options, int stage_index, std::int64_t stride) {
  if (!stage.priced) throw std::logic_error("price_stage: the stage has no priced network");
  const PricedNetwork& p = *stage.priced;
  const Network& net = p.network;
  const ModelProblem& model = p.model;
  const ModelMemory& bytes = p.memory;
  const HardwarePricing& pricing = *p.options.hardware;
  const std::size_t n = net.layers.size();
  const std::int64_t sequence = net.param_or("seq", -1);
  if (stage.configs.size() != n) throw std::logic_error("price_stage: one configuration a layer of the network");

  std::vector<char> in_stage(n, 0);
  std::vector<int> order;  // the stage's layers in forward order
  for (const LayerRange& r : stage.chunks)
    for (int v = r.first; v <= r.last; ++v) {
      in_stage[v] = 1;
      order.push_back(v);
    }
  std::vector<char> whole_recompute(n, 0);
  std::vector<LayerRange> segments;
  if (options.recompute == Recompute::full)
    for (const LayerRange& t : transformer_layers(net)) {
      // The part of each transformer layer inside the stage (a cut may fall inside one).
      int first = -1, last = -1;
      for (int v = t.first; v <= t.last; ++v)
        if (in_stage[v]) {
          if (first < 0) first = v;
          last = v;
          whole_recompute[v] = 1;
        }
      if (first >= 0) segments.push_back({first, last});
    }

  StagePlan s;
  s.chunks = stage.chunks;
  s.first_layer = stage.chunks.empty() ? 0 : stage.chunks.front().first;
  s.last_layer = stage.chunks.empty() ? -1 : stage.chunks.back().last;
  s.devices = static_cast<int>(p.devices);
  s.in_flight_microbatches = in_flight_microbatches(options.schedule, stage_index);
  s.memory.reserve = bytes.reserve_bytes;

  const cluster::HardwareCluster& hw = pricing.cluster();
  const int dp = options.data_parallel;
  const int dp_nodes = cluster::nodes_spanned(dp, static_cast<int>(stride), hw.devices_per_node);
  const int dp_senders = static_cast<int>(std::min<std::int64_t>(hw.devices_per_node, stride * dp));

  // What layer v keeps of a micro-batch, with or without selective recomputation.
  const auto kept_bytes = [&](int v, bool selective) {
    const int c = stage.configs[v];
    const Layer& layer = net.layers[v];
    double kept = selective ? selective_activation_bytes(layer, model.configs[v][c], bytes.recipe, sequence)
                            : bytes.keep[v][c].activations;
    if (options.sequence_parallel && !sequence_split(*layer.model, model.configs[v][c], sequence))
      for (std::size_t i : layer.model->memory(model.configs[v][c]).saved_inputs) {
        if (i >= layer.inputs.size() || layer.inputs[i].weight) continue;
        const double part = part_elements(layer.model->input_shapes()[i], layer.model->input_split(i, model.configs[v][c]));
        kept -= (part - kept_input_elements(p, stage.configs, in_stage, v, i, true, sequence)) *
                bytes.recipe.activation_bytes;
      }
    return kept;
  };
  double activations = 0;  // kept a micro-batch
  std::vector<LayerTime> gradients;  // per layer in forward order: its backward pass and gradient sync
  for (int v : order) {
    const int c = stage.configs[v];
    const Layer& layer = net.layers[v];
    const LayerTime& t = model.times[v][c];
    const LayerMemory& m = bytes.keep[v][c];
    const bool again = whole_recompute[v] || (options.recompute == Recompute::selective && attention_core(layer, sequence));
    s.compute_s += t.compute_s;
    s.backward_s += t.backward_s;
    s.communication_s += t.communication_s;
    if (again) {
      // Its forward kernels and blocking collectives run again before its backward pass.
      s.compute_s += t.compute_s - t.backward_s;
      s.communication_s += t.communication_s;
      s.recompute_s += (t.compute_s - t.backward_s) + t.communication_s;
    }
    s.memory.weights += m.weights;
    s.memory.gradients += m.gradients;
    s.memory.optimizer += m.optimizer;
    s.memory.buffers = std::max(s.memory.buffers, m.buffers);
    if (!whole_recompute[v]) activations += kept_bytes(v, again);
    const double across = pricing.all_reduce_s(m.gradients, dp, dp_nodes, dp_senders);
    if (dp > 1) s.memory.buffers = std::max(s.memory.buffers, m.gradients);  // its all-reduce's buffer
    LayerTime g{.backward_s = t.backward_s,
                .gradient_s = t.gradient_s + across,
                .gradient_latency_s = t.gradient_latency_s + (across > 0 ? pricing.all_reduce_latency_s(dp, dp_nodes) : 0.0),
                .gradient_bytes = t.gradient_bytes + (across > 0 ? m.gradients : 0.0),
                .gradient_compute_loss_s =
                    t.gradient_compute_loss_s + pricing.all_reduce_compute_loss_s(m.gradients, dp, dp_nodes, dp_senders)};
    gradients.push_back(g);
  }
  // Re-layouts between the stage's layers (the computation waits for them).
  const Problem& problem = model.problem;
  for (const auto& e : problem.edges) {
    if (!in_stage[e.from] || !in_stage[e.to]) continue;
    const int a = stage.configs[e.from], b = stage.configs[e.to];
    if (options.sequence_parallel &&
        sequence_split(*net.layers[e.from].model, model.configs[e.from][a], sequence) !=
            sequence_split(*net.layers[e.to].model, model.configs[e.to][b], sequence))
      continue;  // half of the all-reduce its tensor-parallel end already pays for
    s.communication_s += e.cost(a, b, problem.config_count(e.to));
  }
  // Full recomputation keeps each transformer layer's inputs, and holds one layer's activations while
  // it runs again.
  double largest_segment = 0;
  for (const LayerRange& seg : segments) {
    std::set<std::pair<int, int>> counted;
    double whole = 0;
    for (int v = seg.first; v <= seg.last; ++v) {
      whole += kept_bytes(v, false);
      const Layer& layer = net.layers[v];
      for (std::size_t i = 0; i < layer.inputs.size(); ++i) {
        const TensorSource& src = layer.inputs[i];
        if (src.weight || (src.layer >= seg.first && src.layer <= seg.last)) continue;
        const std::pair<int, int> tensor = src.layer >= 0 ? std::pair{src.layer, src.output}
                                                          : std::pair{-1 - v, static_cast<int>(i)};
        if (!counted.insert(tensor).second) continue;
        activations += kept_input_elements(p, stage.configs, in_stage, v, i, options.sequence_parallel, sequence) *
                       bytes.recipe.activation_bytes;
      }
    }
    largest_segment = std::max(largest_segment, whole);
  }
  s.memory.activations = activations * s.in_flight_microbatches + largest_segment;

  // The last micro-batch's backward pass runs the layers in reverse, their gradients synchronised in
  // DDP's buckets behind it (src/cost/step_time.cpp).
  const GradientSync sync = bucketed_gradient_sync(gradients);
  s.gradient_sync_s = sync.communication_s;
  s.exposed_gradient_sync_s = sync.exposed_s() + sync.compute_loss_s;  // both delay the stage's end
  s.microbatch_time_s = s.compute_s + s.communication_s;
  s.memory_bytes_per_device = s.memory.total();
  return s;
}

MemoryBreakdown PipelinePlan::peak_memory() const {
  MemoryBreakdown peak;
  for (const StagePlan& s : stages)
    if (s.memory.total() > peak.total()) peak = s.memory;
  return peak;
}

int PipelinePlan::devices() const {
  int d = 0;
  for (const StagePlan& s : stages) d += s.devices;
  return d * data_parallel;
}

namespace {

void check_cover(const std::vector<StageSpec>& stages, const PipelineOptions& options) {
  const std::string problem = schedule_error(options.schedule);
  if (!problem.empty()) throw std::invalid_argument(problem);
  if (options.data_parallel < 1) throw std::invalid_argument("the data-parallel degree must be at least 1");
  if (static_cast<int>(stages.size()) != options.schedule.stages)
    throw std::invalid_argument("the pipeline has " + std::to_string(stages.size()) + " stages, its schedule " +
                                std::to_string(options.schedule.stages));
  const std::size_t v = static_cast<std::size_t>(options.schedule.interleave);
  int next = 0;
  for (std::size_t chunk = 0; chunk < v; ++chunk)
    for (const StageSpec& s : stages) {
      if (s.chunks.size() != v)
        throw std::invalid_argument("every stage needs " + std::to_string(v) + " model chunks (interleave)");
      const LayerRange& r = s.chunks[chunk];
      if (r.first != next || r.last < r.first)
        throw std::invalid_argument("the stages' layer ranges must cover the layers in order, without gaps");
      next = r.last + 1;
    }
  if (stages.empty() || next != static_cast<int>(stages.front().priced->network.layers.size()))
    throw std::invalid_argument("the stages' layer ranges must cover every layer of the network");
}

}  // namespace

PipelinePlan evaluate_pipeline(const std::vector<StageSpec>& stages, const PipelineOptions& options) {
  check_cover(stages, options);
  PipelinePlan plan;
  plan.schedule = options.schedule;
  plan.data_parallel = options.data_parallel;
  const int S = options.schedule.stages;
  const int dp = options.data_parallel;
  std::vector<std::int64_t> offset(S + 1, 0);  // first device of each stage (Megatron-LM's order)
  for (int s = 0; s < S; ++s) offset[s + 1] = offset[s] + dp * stages[s].priced->devices;
  for (int s = 0; s < S; ++s) plan.stages.push_back(price_stage(stages[s], options, s, stages[s].priced->devices));

  // Which stage runs each layer.
  const std::size_t n = stages.front().priced->network.layers.size();
  std::vector<int> stage_of(n, 0), chunk_of(n, 0);
  for (int s = 0; s < S; ++s)
    for (std::size_t k = 0; k < stages[s].chunks.size(); ++k)
      for (int v = stages[s].chunks[k].first; v <= stages[s].chunks[k].last; ++v) {
        stage_of[v] = s;
        chunk_of[v] = static_cast<int>(k) * S + s;
      }
  // Point-to-point sends: every tensor a chunk hands to a later chunk, once per receiving stage, its
  // activation forward and its gradient backward. Each of the sender's devices sends its 1/d share
  // (Narayanan et al. 2021, sec. 4.1: scatter/gather); a tensor the sender does not split is
  // all-gathered again among the receiver's devices.
  for (int s = 0; s < S; ++s) {
    const PricedNetwork& p = *stages[s].priced;
    const HardwarePricing& pricing = *p.options.hardware;
    const cluster::HardwareCluster& hw = pricing.cluster();
    const double bpe = pricing.bytes_per_element();
    std::set<std::tuple<int, int, int>> sent;  // producer, output, receiving stage
    for (std::size_t w = 0; w < n; ++w) {
      const Layer& consumer = p.network.layers[w];
      for (const TensorSource& src : consumer.inputs) {
        if (src.layer < 0 || stage_of[src.layer] != s || chunk_of[src.layer] >= chunk_of[w]) continue;
        const int r = stage_of[w];
        if (!sent.insert({src.layer, src.output, r}).second) continue;
        const Operator& op = *p.network.layers[src.layer].model;
        const Config& config = p.model.configs[src.layer][stages[s].configs[src.layer]];
        const Shape& shape = op.output_shapes()[src.output];
        const double whole = whole_elements(shape) * bpe;
        const double parts = static_cast<double>(product(op.output_split(src.output, config)));
        const std::int64_t da = p.devices, db = stages[r].priced->devices;
        const bool crosses = send_crosses_nodes(offset[s], da, offset[r], db, dp, hw.devices_per_node);
        plan.stages[s].send_s += stage_send_s(pricing, whole, parts, da, db, dp, crosses);
        plan.stages[s].send_crosses_nodes = plan.stages[s].send_crosses_nodes || crosses;
      }
    }
    plan.stages[s].microbatch_time_s += plan.stages[s].send_s;
  }

  std::vector<double> times, kernels;
  for (const StagePlan& s : plan.stages) {
    times.push_back(s.microbatch_time_s);
    kernels.push_back(s.compute_s);
  }
  plan.pipeline_time_s = pipeline_time_s(times, options.schedule);
  // A later stage's last backward pass ends while the earlier stages still run theirs: its gradient
  // synchronisation has their backward kernels as slack (with interleaving, none is counted).
  double slack = 0;
  for (StagePlan& s : plan.stages) {
    const double exposed = std::max(0.0, s.exposed_gradient_sync_s - slack);
    plan.exposed_gradient_sync_s = std::max(plan.exposed_gradient_sync_s, exposed);
    if (options.schedule.interleave == 1) slack += s.backward_s;
  }
  plan.bubble_fraction = bubble_fraction(options.schedule);
  plan.breakdown.compute_s = pipeline_time_s(kernels, options.schedule);
  plan.breakdown.exposed_communication_s = plan.step_time_s() - plan.breakdown.compute_s;
  const auto slowest = std::max_element(times.begin(), times.end()) - times.begin();
  const StagePlan& critical = plan.stages[static_cast<std::size_t>(slowest)];
  plan.breakdown.communication_s =
      static_cast<double>(options.schedule.microbatches) * (critical.communication_s + critical.send_s) +
      critical.gradient_sync_s;
  return plan;
}

}  // namespace pase
