#include "pase/model/model_problem.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>

#include "pase/cost/cost_math.hpp"
#include "pase/bytes.hpp"
#include "pase/saturating.hpp"

namespace pase {

ParallelEdges parse_parallel_edges(const std::string& name) {
  if (name == "last") return ParallelEdges::last;
  if (name == "sum") return ParallelEdges::sum;
  throw std::invalid_argument("--parallel-edges: unknown policy '" + name + "'; use 'last' or 'sum'");
}

CostModel parse_cost_model(const std::string& name) {
  if (name == "paper") return CostModel::paper;
  if (name == "hardware") return CostModel::hardware;
  throw std::invalid_argument("--cost-model: unknown model '" + name + "'; use 'hardware' or 'paper'");
}

const char* to_string(CostModel model) { return model == CostModel::hardware ? "hardware" : "paper"; }

namespace {

// How each configuration of a layer splits one of its tensors: per-device extent and device count.
struct TensorParts {
  std::vector<std::vector<double>> extent;
  std::vector<double> procs;
};

TensorParts parts(const Shape& tensor, const std::vector<Config>& configs,
                  const std::function<Config(const Config&)>& split_of) {
  TensorParts p;
  for (const auto& c : configs) {
    const Config split = split_of(c);
    std::vector<double> extent(tensor.size());
    for (std::size_t i = 0; i < tensor.size(); ++i)
      extent[i] = static_cast<double>(tensor[i]) / static_cast<double>(split[i]);
    p.extent.push_back(std::move(extent));
    p.procs.push_back(static_cast<double>(product(split)));
  }
  return p;
}

// The source parts a target part covers: the product over dimensions of target / source extent.
double sources_covered(const std::vector<double>& source_part, const std::vector<double>& target_part) {
  double sources = 1.0;
  for (std::size_t i = 0; i < target_part.size(); ++i) sources *= std::max(1.0, target_part[i] / source_part[i]);
  return sources;
}

// Words moved forward and backward between a producer and a consumer of `tensor`: in FLOP (paper
// model) or seconds (hardware model).
std::vector<double> tensor_edge_costs(const Network& net, const std::vector<std::vector<Config>>& configs, int from,
                                      int output, int to, std::size_t input, const CostMath& math,
                                      const HardwarePricing* hardware) {
  const Operator& src = *net.layers[from].model;
  const Operator& dst = *net.layers[to].model;
  const Shape& tensor = src.output_shapes()[output];
  if (dst.input_shapes()[input] != tensor)
    throw std::invalid_argument(net.file + ": layer '" + net.layers[to].name + "': input " + std::to_string(input) +
                                " does not have the shape of '" + net.layers[from].name + "' output");
  const auto a = parts(tensor, configs[from], [&](const Config& c) { return src.output_split(output, c); });
  const auto b = parts(tensor, configs[to], [&](const Config& c) { return dst.input_split(input, c); });
  std::vector<double> costs(a.procs.size() * b.procs.size());
  for (std::size_t i = 0; i < a.procs.size(); ++i)
    for (std::size_t j = 0; j < b.procs.size(); ++j)
      costs[i * b.procs.size() + j] =
          hardware ? hardware->relayout_s(words_needed(a.extent[i], b.extent[j], a.procs[i], b.procs[j]),
                                          sources_covered(a.extent[i], b.extent[j]), a.procs[i], b.procs[j])
                   : math.words(words_needed(a.extent[i], b.extent[j], a.procs[i], b.procs[j]) * 2.0);
  return costs;
}

int data_parallel_config(const Operator& op, const std::vector<Config>& configs) {
  const std::size_t b = op.batch_dimension();
  int best = -1;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    bool only_batch = true;
    for (std::size_t d = 0; d < configs[i].size(); ++d)
      if (d != b && configs[i][d] != 1) only_batch = false;
    if (only_batch && (best < 0 || configs[i][b] > configs[best][b])) best = static_cast<int>(i);
  }
  return best < 0 ? 0 : best;
}

// The tensors counted between each pair of layers: (producer output, consumer input) pairs.
using Connections = std::map<std::pair<int, int>, std::vector<std::pair<int, std::size_t>>>;

Connections connections(const Network& net, ParallelEdges policy) {
  Connections out;
  for (std::size_t to = 0; to < net.layers.size(); ++to) {
    const auto& inputs = net.layers[to].inputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].layer < 0) continue;
      auto& list = out[{inputs[i].layer, static_cast<int>(to)}];
      if (policy == ParallelEdges::last) list.clear();
      list.emplace_back(inputs[i].output, i);
    }
  }
  return out;
}

std::vector<ProblemEdge> tensor_edges(const Network& net, const std::vector<std::vector<Config>>& configs,
                                      const ProblemOptions& options, const CostMath& math, std::uint64_t& bytes) {
  const auto all = connections(net, options.parallel_edges);
  // Identical layers joined the same way have the same matrix: compute and store it once.
  std::map<std::string, CostMatrix> shared;
  auto key_of = [&](int from, int to, const std::vector<std::pair<int, std::size_t>>& list) {
    std::string key = net.layers[from].signature + "->" + net.layers[to].signature + "@";
    for (const auto& [output, input] : list) key += std::to_string(output) + ":" + std::to_string(input) + ",";
    return key;
  };
  bytes = 0;
  for (const auto& [pair, list] : all)
    if (!shared.count(key_of(pair.first, pair.second, list))) {
      shared[key_of(pair.first, pair.second, list)] = nullptr;
      bytes = saturating_add(bytes, configs[pair.first].size() * configs[pair.second].size() * sizeof(double));
    }
  if (options.max_memory_bytes > 0 && bytes > options.max_memory_bytes)
    throw MemoryLimitExceeded(net.file + ": the edge cost matrices alone need " + format_bytes(bytes) + " at " +
                              std::to_string(options.procs) + " devices, more than --max-memory " +
                              format_bytes(options.max_memory_bytes) + "; use fewer --procs or raise --max-memory");
  std::vector<ProblemEdge> edges;
  for (const auto& [pair, list] : all) {
    CostMatrix& matrix = shared[key_of(pair.first, pair.second, list)];
    if (!matrix) {
      std::vector<double> sum;
      for (const auto& [output, input] : list) {
        auto costs = tensor_edge_costs(net, configs, pair.first, output, pair.second, input, math,
                                       options.hardware ? &*options.hardware : nullptr);
        if (sum.empty()) sum = std::move(costs);
        else
          for (std::size_t k = 0; k < costs.size(); ++k) sum[k] += costs[k];
      }
      matrix = std::make_shared<const std::vector<double>>(std::move(sum));
    }
    edges.push_back({pair.first, pair.second, matrix});
  }
  return edges;
}

// Measured edges replace the tensors' edge between the same two layers.
void add_explicit_edges(const Network& net, std::vector<ProblemEdge>& edges,
                        const std::vector<std::vector<Config>>& configs, std::uint64_t& edge_bytes) {
  for (std::size_t i = 0; i < net.edges.size(); ++i) {
    const auto& e = net.edges[i];
    const std::size_t rows = configs[e.from].size(), cols = configs[e.to].size();
    const std::string field = net.file + ": field 'edges[" + std::to_string(i) + "].costs': ";
    if (e.costs.size() != rows)
      throw std::invalid_argument(field + "has " + std::to_string(e.costs.size()) + " rows; '" + net.layers[e.from].name +
                                  "' has " + std::to_string(rows) + " configurations");
    std::vector<double> flat;
    for (const auto& row : e.costs) {
      if (row.size() != cols)
        throw std::invalid_argument(field + "a row has " + std::to_string(row.size()) + " entries; '" +
                                    net.layers[e.to].name + "' has " + std::to_string(cols) + " configurations");
      flat.insert(flat.end(), row.begin(), row.end());
    }
    std::erase_if(edges, [&](const ProblemEdge& x) {
      return (x.from == e.from && x.to == e.to) || (x.from == e.to && x.to == e.from);
    });
    edge_bytes += flat.size() * sizeof(double);
    edges.push_back(make_edge(e.from, e.to, std::move(flat)));
  }
}

}  // namespace

ModelProblem build_problem(const Network& net, const ProblemOptions& options) {
  if (options.procs < 1) throw std::invalid_argument("--procs: must be at least 1, got " + std::to_string(options.procs));
  validate(options.cluster);
  const CostMath math(options.cluster.flop_per_word());
  const std::size_t n = net.layers.size();

  ModelProblem out;
  out.configs.resize(n);
  bool any_split = false;
  for (std::size_t v = 0; v < n; ++v) {
    const Operator& op = *net.layers[v].model;
    try {
      out.configs[v] = op.configs(options.procs, net.cutoff);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(net.file + ": layer '" + net.layers[v].name + "': " + e.what());
    }
    if (out.configs[v].empty())
      throw std::invalid_argument(net.file + ": layer '" + net.layers[v].name + "': no configuration uses at most " +
                                  std::to_string(options.procs) + " devices");
    for (const auto& c : out.configs[v]) any_split = any_split || product(c) > 1;
    if (options.hardware) {
      try {
        out.times.push_back(op.times(out.configs[v], *options.hardware));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(net.file + ": layer '" + net.layers[v].name + "': " + e.what());
      }
      std::vector<double> costs;
      for (const LayerTime& t : out.times.back()) costs.push_back(t.total_s());
      out.problem.vertices.push_back({net.layers[v].name, std::move(costs)});
    } else {
      out.problem.vertices.push_back({net.layers[v].name, op.costs(out.configs[v], math)});
    }
    out.data_parallel.push_back(data_parallel_config(op, out.configs[v]));
  }
  if (options.procs > 1 && !any_split)
    throw std::invalid_argument(net.file + ": no layer has a dimension that can be split over " +
                                std::to_string(options.procs) + " devices (every dimension is below the cutoff " +
                                std::to_string(net.cutoff) + " or indivisible); use fewer --procs or larger shapes");

  out.problem.edges = tensor_edges(net, out.configs, options, math, out.edge_bytes);
  if (options.hardware && !net.edges.empty())
    throw std::invalid_argument(net.file + ": field 'edges': measured edge costs are in the paper model's units; use "
                                "--cost-model paper");
  add_explicit_edges(net, out.problem.edges, out.configs, out.edge_bytes);
  out.problem.validate();
  return out;
}

}  // namespace pase
