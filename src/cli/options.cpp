#include "pase/cli/options.hpp"

#include <omp.h>

#include <iostream>

#include <filesystem>

#include "pase/bytes.hpp"
#include "pase/cluster/cluster_presets.hpp"
#include "pase/cluster/hardware_cluster.hpp"

namespace pase::cli {

namespace {

bool is_hardware_cluster(const po::variables_map& vm) {
  if (!vm.count("cluster") || vm.count("clusters")) return false;
  const std::string name = vm["cluster"].as<std::string>();
  for (const std::string& preset : cluster::preset_names())
    if (preset == name) return true;
  return std::filesystem::is_regular_file(name);
}

std::string hardware_preset_list() {
  std::string s;
  for (const std::string& name : cluster::preset_names()) s += (s.empty() ? "" : ", ") + name;
  return s;
}

// --cluster naming a pase-cluster preset or file: the hardware model by default, all the cluster's
// devices unless --procs or --nodes say fewer.
void apply_hardware_cluster(const po::variables_map& vm, SearchRequest& s) {
  const cluster::HardwareCluster hw = cluster::load_cluster(vm["cluster"].as<std::string>());
  const CostModel model = vm.count("cost-model") ? parse_cost_model(vm["cost-model"].as<std::string>())
                                                 : CostModel::hardware;
  const bool flops_or_bw = !vm["flops"].defaulted() || !vm["bw"].defaulted();
  if (model == CostModel::hardware && flops_or_bw)
    throw std::invalid_argument("--flops/--bw set the paper model, but --cluster " + hw.name +
                                " prices with the hardware model; drop them or add --cost-model paper");
  const cluster::Precision precision = cluster::parse_precision(vm["precision"].as<std::string>());
  if (!hw.device.peak_flop_per_s.count(precision))
    throw std::invalid_argument("--precision: cluster " + hw.name + " gives no peak FLOP/s for " +
                                vm["precision"].as<std::string>() + "; use one its file lists");
  if (vm.count("nodes")) {
    if (!vm["procs"].defaulted())
      throw std::invalid_argument("--nodes and --procs both say how many devices are used; give one");
    const auto nodes = vm["nodes"].as<std::int64_t>();
    if (nodes < 1 || nodes > hw.nodes)
      throw std::invalid_argument("--nodes: must be 1.." + std::to_string(hw.nodes) + " for cluster " + hw.name +
                                  ", got " + std::to_string(nodes));
    s.procs = nodes * hw.devices_per_node;
  } else if (vm["procs"].defaulted()) {
    s.procs = hw.devices();
  }
  if (s.procs > hw.devices())
    throw std::invalid_argument("--procs: cluster " + hw.name + " has " + std::to_string(hw.devices()) +
                                " devices (" + std::to_string(hw.nodes) + " nodes of " +
                                std::to_string(hw.devices_per_node) + "), fewer than " +
                                std::to_string(s.procs));
  s.device_memory.capacity_bytes = hw.device.memory_bytes;
  s.device_memory.reserve_bytes = hw.device.memory_reserve_bytes;
  if (model == CostModel::paper) {
    // The paper model on this cluster: r from the device's peak and the link inside a node.
    if (vm["flops"].defaulted()) s.cluster.flops_tflops = hw.device.peak_flop_per_s.at(precision) / 1e12;
    if (vm["bw"].defaulted()) s.cluster.bw_gbytes = hw.intra_node.bytes_per_s / 1e9;
    return;
  }
  s.hardware = hw;
  s.precision = precision;
}

}  // namespace

po::options_description problem_options() {
  po::options_description o("Problem");
  o.add_options()
      ("procs,p", po::value<std::int64_t>()->default_value(8), "number of devices")
      ("flops", po::value<double>()->default_value(10.0), "peak FLOP/s per device, in TFLOP/s")
      ("bw", po::value<double>()->default_value(16.0), "link bandwidth per device, in GB/s")
      ("cluster", po::value<std::string>(),
       "a pase-cluster preset (paper-1080ti, paper-2080ti, dgx-a100, dgx-a100-40gb, dgx1-v100, dgx-h100, "
       "cloud-pcie-a100) or file: the "
       "hardware cost model; else a jobs/clusters.json preset (e.g. a100-nvlink) setting --flops and --bw")
      ("cost-model", po::value<std::string>(),
       "hardware (seconds on the --cluster; the default with a pase-cluster) or paper (the prototype's FLOP model, "
       "what --flops/--bw select)")
      ("nodes", po::value<std::int64_t>(), "with a pase-cluster: use this many whole nodes (instead of --procs)")
      ("precision", po::value<std::string>()->default_value("fp32"),
       "hardware model: fp32, bf16 or fp16 (peak FLOP/s and bytes per element)")
      ("clusters", po::value<std::string>(), "the preset catalogue (default: $PASE_CLUSTERS or jobs/clusters.json)")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a model parameter: --set batch=256 (repeatable)")
      ("order", po::value<std::string>()->default_value("greedy"), "elimination order: greedy (GenerateSeq), weighted (min-degree by table entries), minfill, "
       "auto (plans greedy, weighted and minfill, keeps the fewest DP cells) or bfs")
      ("prune", po::value<std::string>()->default_value("auto"),
       "dominance: drop configurations that no optimal strategy needs before planning (exact; fewer DP cells); "
       "auto: only when the unpruned plan has 2^26 DP cells or more; none")
      ("blocks", po::value<std::string>()->default_value("none"),
       "repeated blocks: auto replaces each group of identical two-terminal pieces by an edge whose matrix is "
       "their interior eliminated once (exact), when that takes fewer DP cells; none")
      ("parallel-edges", po::value<std::string>()->default_value("last"),
       "several tensors between two layers: last (count the last one, as the prototype) or sum")
      ("max-memory", po::value<std::string>(),
       "search memory (not the devices'): refuse a search whose DP tables and edge matrices need more than this on "
       "a rank of the machine running pase (e.g. 16G; 0 = no limit; default 80% of the node's RAM divided by the "
       "ranks on the node)")
      ("memory-per-device", po::value<std::string>(),
       "device memory: recommend only strategies whose peak per device fits this (e.g. 80G; default: the "
       "pase-cluster's device memory; 0 = not checked)")
      ("optimizer", po::value<std::string>()->default_value("adam"),
       "device memory: the optimizer's state a parameter: adam, adamw (8 bytes), sgd-momentum (4) or sgd (0)")
      ("training-precision", po::value<std::string>()->default_value("mixed"),
       "device memory: mixed (2-byte weights, gradients and activations, fp32 master weights; 16 bytes a "
       "parameter with adam, as ZeRO counts) or fp32")
      ("threads", po::value<int>(), "OpenMP threads per rank (default: OMP_NUM_THREADS, else the cores)")
      ("replicate-below", po::value<std::string>()->default_value("256K"),
       "with several ranks, DP tables smaller than this are computed whole by every rank instead of split");
  return o;
}

SearchSettings settings_from(const po::variables_map& vm, const std::string& model_file, int ranks_on_node) {
  SearchRequest s;
  s.model_file = model_file;
  if (vm.count("set")) s.overrides = vm["set"].as<std::vector<std::string>>();
  s.procs = vm["procs"].as<std::int64_t>();
  if (s.procs < 1) throw std::invalid_argument("--procs: must be at least 1, got " + std::to_string(s.procs));
  s.cluster.flops_tflops = vm["flops"].as<double>();
  s.cluster.bw_gbytes = vm["bw"].as<double>();
  if (is_hardware_cluster(vm)) {
    apply_hardware_cluster(vm, s);
  } else if (vm.count("cluster")) {
    const auto catalogue = load_cluster_catalogue(vm.count("clusters") ? vm["clusters"].as<std::string>()
                                                                       : default_cluster_catalogue_path());
    const Cluster* found = nullptr;
    try {
      found = &catalogue.find(vm["cluster"].as<std::string>()).cluster;
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + (vm.count("clusters") ? "" : "; hardware presets: " +
                                                                                          hardware_preset_list()));
    }
    const Cluster& preset = *found;
    if (vm["flops"].defaulted()) s.cluster.flops_tflops = preset.flops_tflops;
    if (vm["bw"].defaulted()) s.cluster.bw_gbytes = preset.bw_gbytes;
  }
  if (!s.hardware) {
    if (vm.count("cost-model") && parse_cost_model(vm["cost-model"].as<std::string>()) == CostModel::hardware)
      throw std::invalid_argument("--cost-model hardware: needs --cluster naming a pase-cluster preset (" +
                                  hardware_preset_list() + ") or file");
    if (vm.count("nodes")) throw std::invalid_argument("--nodes: needs --cluster naming a pase-cluster preset or file");
    if (!vm["precision"].defaulted())
      throw std::invalid_argument("--precision: applies to the hardware model; add --cluster naming a pase-cluster");
  }
  validate(s.cluster);
  s.device_memory.recipe =
      training_recipe(vm["optimizer"].as<std::string>(), vm["training-precision"].as<std::string>());
  if (vm.count("memory-per-device")) {
    const std::string text = vm["memory-per-device"].as<std::string>();
    if (!text.empty() && text[0] == '-')
      throw std::invalid_argument("--memory-per-device: must not be negative, got '" + text + "' (e.g. 80G)");
    s.device_memory.capacity_bytes = static_cast<double>(parse_bytes(text, "--memory-per-device"));
    if (s.device_memory.capacity_bytes > 0 && s.device_memory.capacity_bytes <= s.device_memory.reserve_bytes)
      throw std::invalid_argument("--memory-per-device: " + text + " is not above the cluster's reserve of " +
                                  format_bytes(static_cast<std::uint64_t>(s.device_memory.reserve_bytes)));
  }
  s.parallel_edges = parse_parallel_edges(vm["parallel-edges"].as<std::string>());
  s.order = parse_order_kind(vm["order"].as<std::string>());
  try {
    s.prune = parse_prune_mode(vm["prune"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--prune: ") + e.what());
  }
  try {
    s.blocks = parse_block_mode(vm["blocks"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--blocks: ") + e.what());
  }
  // `pase search --stages` (the other commands have no such option).
  try {
    if (vm.count("stages")) s.stages = parse_stage_mode(vm["stages"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--stages: ") + e.what());
  }
  s.dp.threads = vm.count("threads") ? vm["threads"].as<int>() : omp_get_max_threads();
  if (s.dp.threads < 1) throw std::invalid_argument("--threads: must be at least 1");
  s.dp.replicate_below_bytes = parse_bytes(vm["replicate-below"].as<std::string>(), "--replicate-below");
  if (vm.count("max-memory")) s.max_memory_bytes = parse_bytes(vm["max-memory"].as<std::string>(), "--max-memory");
  s.ranks_on_node = ranks_on_node;
  return build_settings(s);
}

bool parse(int argc, char** argv, const po::options_description& options, const std::string& usage,
           po::variables_map& vm, bool takes_model, const std::string& argument) {
  po::options_description all;
  all.add(options);
  all.add_options()("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>(), "model file");
  po::options_description everything;
  everything.add(all).add(hidden);
  po::positional_options_description positional;
  if (takes_model) positional.add("model", 1);
  po::store(po::command_line_parser(argc, argv).options(everything).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << usage << "\n" << all << "\n";
    return false;
  }
  po::notify(vm);
  if (takes_model && !vm.count("model")) throw po::error("missing the " + argument + " argument (see --help)");
  return true;
}

po::options_description training_options() {
  po::options_description o("Time to train and cost");
  o.add_options()
      ("tokens", po::value<std::string>(), "train on this many tokens (steps = tokens / (batch x seq)), e.g. 300B")
      ("samples", po::value<std::string>(), "train on this many samples (steps = samples / batch), e.g. 1.2M")
      ("steps", po::value<std::string>(), "train for this many steps")
      ("price-per-device-hour", po::value<std::vector<std::string>>()->composing(),
       "price of one device for one hour: X for every cluster, or CLUSTER=X (repeatable)");
  return o;
}

TrainingAmount training_amount_from(const po::variables_map& vm) {
  TrainingAmount amount;
  int given = 0;
  for (const auto& [name, unit] : {std::pair{"tokens", TrainingAmount::Unit::tokens},
                                   std::pair{"samples", TrainingAmount::Unit::samples},
                                   std::pair{"steps", TrainingAmount::Unit::steps}})
    if (vm.count(name)) {
      ++given;
      amount = {unit, parse_count(std::string("--") + name, vm[name].as<std::string>())};
    }
  if (given > 1) throw po::error("give one of --tokens, --samples and --steps, not several");
  return amount;
}

DevicePrices device_prices_from(const po::variables_map& vm) {
  DevicePrices prices;
  if (vm.count("price-per-device-hour"))
    for (const auto& p : vm["price-per-device-hour"].as<std::vector<std::string>>()) prices.add(p);
  return prices;
}

}  // namespace pase::cli
