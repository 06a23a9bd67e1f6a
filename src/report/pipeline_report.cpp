#include "pase/report/pipeline_report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "pase/cluster/cluster.hpp"
#include "pase/cluster/hardware_cluster.hpp"
#include "pase/model/model_file.hpp"
#include "pase/report/device_memory.hpp"
#include "pase/report/report_text.hpp"

namespace pase {

namespace {

using Json = nlohmann::ordered_json;


double peak_flop_per_s(const SearchSettings& settings) {
  if (settings.problem.hardware)
    return settings.problem.hardware->cluster().device.peak_flop_per_s.at(settings.problem.hardware->precision());
  return settings.problem.cluster.peak_flop_per_second();
}

void fill_common(EvaluationReport& r, const SearchSettings& settings, const Network& network) {
  r.model = network.name;
  r.file = network.file;
  r.params = network.params;
  r.settings = settings;
  for (const Layer& layer : network.layers) r.layer_names.push_back(layer.name);
  r.peak_flop_per_s = peak_flop_per_s(settings);
  r.step_time_s = r.breakdown.step_time_s();
  const double capacity = settings.device_memory.capacity_bytes;
  r.fits = capacity <= 0 || r.memory.total() <= capacity;
}

[[noreturn]] void bad(const std::string& file, const std::string& field, const std::string& problem) {
  throw std::invalid_argument(file + ": field '" + field + "': " + problem);
}

}  // namespace

double model_flop_per_step(const Network& network) {
  double flop = 0;
  for (const Layer& layer : network.layers) {
    if (layer.op == "Measured") continue;  // no physical description
    const Config unsplit(layer.model->domain().size(), 1);
    for (const GemmWork& g : layer.model->work(unsplit).gemms)
      if (!g.paper_only) flop += 6.0 * g.batches * g.m * g.n * g.k;
  }
  return flop;
}

EvaluationReport evaluate_megatron_setup(const SearchSettings& settings, const MegatronSetup& setup) {
  if (!settings.problem.hardware)
    throw std::invalid_argument("--megatron: needs the hardware model; add --cluster naming a pase-cluster preset or file");
  const Network given = load_model(settings.model_file, settings.overrides);
  // The vocabulary padded as Megatron-LM pads it.
  const std::vector<std::string> overrides = megatron_overrides(given, settings.overrides, setup.tp);
  const Network network = load_model(settings.model_file, overrides);
  check_megatron(setup, network, settings.problem.procs);
  const PricedNetwork priced =
      price_network(settings.model_file, overrides, setup.microbatch, setup.tp, *settings.problem.hardware,
                    settings.device_memory.recipe, settings.device_memory.reserve_bytes);
  const std::int64_t batch = network.params.at("batch");
  const PipelinePlan plan = evaluate_megatron(setup, priced, batch);
  EvaluationReport r = pipeline_evaluation(settings, network, setup, plan,
                                           model_flop_per_step(priced.network) * static_cast<double>(batch / setup.microbatch));
  r.setup = "megatron " + to_string(setup);
  const auto vocab = given.params.find("vocab");
  if (vocab != given.params.end() && vocab->second != network.params.at("vocab"))
    r.setup += " (the vocabulary of " + std::to_string(vocab->second) + " padded to " +
               std::to_string(network.params.at("vocab")) + " as Megatron-LM pads it)";
  return r;
}

EvaluationReport pipeline_evaluation(const SearchSettings& settings, const Network& network, const MegatronSetup& shape,
                                     const PipelinePlan& plan, double model_flop) {
  EvaluationReport r;
  r.megatron = shape;
  r.pipeline = plan;
  r.breakdown = plan.breakdown;
  r.memory = plan.peak_memory();
  r.model_flop = model_flop;
  r.devices_used = plan.devices();
  fill_common(r, settings, network);
  r.step_time_s = plan.step_time_s();
  return r;
}

EvaluationReport evaluate_strategy_file(const std::string& strategy_file, const std::string& model_file) {
  std::ifstream in(strategy_file);
  if (!in) throw std::invalid_argument("--strategy " + strategy_file + ": cannot read the file");
  Json doc;
  try {
    doc = Json::parse(in);
  } catch (const Json::exception& e) {
    throw std::invalid_argument("--strategy " + strategy_file + ": not JSON (" + e.what() +
                                "); give a file pase search --output wrote");
  }
  const std::string& f = strategy_file;
  auto need = [&](const char* field, auto check, const char* what) -> const Json& {
    if (!doc.is_object() || !doc.contains(field) || !check(doc[field])) bad(f, field, std::string("missing or not ") + what + "; give a file pase search --output wrote");
    return doc[field];
  };
  const auto is_string = [](const Json& j) { return j.is_string(); };
  SearchSettings s;
  s.model_file = model_file.empty() ? need("file", is_string, "a string").get<std::string>() : model_file;
  for (const auto& [name, value] : need("params", [](const Json& j) { return j.is_object(); }, "an object").items()) {
    if (!value.is_number_integer()) bad(f, "params." + name, "must be an integer");
    s.overrides.push_back(name + "=" + std::to_string(value.get<std::int64_t>()));
  }
  s.problem.procs = need("procs", [](const Json& j) { return j.is_number_integer() && j.get<std::int64_t>() >= 1; },
                         "a positive integer")
                        .get<std::int64_t>();
  const std::string cost_model = need("cost_model", is_string, "a string").get<std::string>();
  if (cost_model == "hardware") {
    const cluster::HardwareCluster hw = cluster::load_cluster(need("cluster", is_string, "a string").get<std::string>());
    s.problem.hardware.emplace(hw, cluster::parse_precision(need("precision", is_string, "a string").get<std::string>()));
    s.device_memory.reserve_bytes = hw.device.memory_reserve_bytes;
  } else if (cost_model == "paper") {
    const auto number = [](const Json& j) { return j.is_number() && j.get<double>() > 0; };
    for (const ClusterField& field : cluster_fields())
      s.problem.cluster.*field.value = need(field.key, number, "a positive number").get<double>();
  } else {
    bad(f, "cost_model", "'" + cost_model + "' is neither hardware nor paper");
  }
  if (doc.contains("parallel_edges") && doc["parallel_edges"].is_string())
    s.problem.parallel_edges = parse_parallel_edges(doc["parallel_edges"].get<std::string>());
  std::string optimizer = "adam", precision = "mixed";
  if (doc.contains("memory") && doc["memory"].is_object()) {
    const Json& m = doc["memory"];
    if (m.contains("optimizer") && m["optimizer"].is_string()) optimizer = m["optimizer"].get<std::string>();
    if (m.contains("training_precision") && m["training_precision"].is_string())
      precision = m["training_precision"].get<std::string>();
    if (m.contains("capacity_bytes") && m["capacity_bytes"].is_number())
      s.device_memory.capacity_bytes = m["capacity_bytes"].get<double>();
  }
  s.device_memory.recipe = training_recipe(optimizer, precision);

  SearchRun run;
  run.network = load_model(s.model_file, s.overrides);
  run.model = build_problem(run.network, s.problem);
  const Json& layers = need("layers", [](const Json& j) { return j.is_array(); }, "a list");
  if (layers.size() != run.network.layers.size())
    bad(f, "layers", "has " + std::to_string(layers.size()) + " layers, " + s.model_file + " has " +
                         std::to_string(run.network.layers.size()) + "; was it written for another model?");
  EvaluationReport r;
  std::vector<int> configs;
  std::vector<char> recompute;
  for (std::size_t v = 0; v < layers.size(); ++v) {
    const Json& l = layers[v];
    const std::string field = "layers[" + std::to_string(v) + "]";
    if (!l.is_object() || !l.contains("name") || !l["name"].is_string() || !l.contains("config") ||
        !l["config"].is_array())
      bad(f, field, "needs 'name' and 'config'");
    if (l["name"].get<std::string>() != run.network.layers[v].name)
      bad(f, field + ".name", "'" + l["name"].get<std::string>() + "' where " + s.model_file + " has '" +
                                  run.network.layers[v].name + "'");
    Config config;
    for (const Json& x : l["config"]) {
      if (!x.is_number_integer()) bad(f, field + ".config", "must be a list of integers");
      config.push_back(x.get<std::int64_t>());
    }
    const auto& all = run.model.configs[v];
    const auto it = std::find(all.begin(), all.end(), config);
    if (it == all.end())
      bad(f, field + ".config", "[" + join(config) + "] is not a configuration of layer '" + run.network.layers[v].name +
                                    "' on " + std::to_string(s.problem.procs) + " devices");
    configs.push_back(static_cast<int>(it - all.begin()));
    const bool again = l.contains("recompute") && l["recompute"].is_boolean() && l["recompute"].get<bool>();
    recompute.push_back(again ? 1 : 0);
    r.layers.push_back({run.network.layers[v].name, config, again});
  }
  r.setup = "strategy " + strategy_file;
  r.breakdown = strategy_step(s, run, configs, recompute);
  const ModelMemory bytes =
      model_memory(run.network, run.model, s.problem, s.device_memory.recipe, s.device_memory.reserve_bytes);
  r.memory = strategy_memory(bytes, configs, recompute);
  r.model_flop = model_flop_per_step(run.network);
  for (const EvaluatedLayer& l : r.layers) r.devices_used = std::max(r.devices_used, product(l.config));
  fill_common(r, s, run.network);
  return r;
}

void print_evaluation(std::ostream& out, const EvaluationReport& r) {
  const SearchSettings& s = r.settings;
  print_model_and_cluster(out, r.model, r.file, s, r.params);
  out << "setup      " << r.setup << "\n";
  if (r.pipeline) {
    const PipelinePlan& p = *r.pipeline;
    const MegatronSetup& m = *r.megatron;
    out << "pipeline   " << p.schedule.stages << " stage(s) of " << m.tp << " device(s), " << p.data_parallel
        << " replica(s); " << p.schedule.microbatches << " micro-batches of " << m.microbatch << " a step"
        << (p.schedule.interleave > 1 ? ", interleaved 1F1B with " + std::to_string(p.schedule.interleave) + " chunks a device" : ", 1F1B")
        << "; bubble " << fixed(100.0 * p.bubble_fraction, 2) << "% of the ideal time\n\n";
    std::size_t width = 6;
    auto range = [&](const StagePlan& st) {
      std::string text;
      for (const LayerRange& c : st.chunks)
        text += (text.empty() ? "" : " + ") + r.layer_names[c.first] + " .. " + r.layer_names[c.last];
      return text;
    };
    for (const StagePlan& st : p.stages) width = std::max(width, range(st).size());
    out << std::left << "stage  " << std::setw(static_cast<int>(width + 2)) << "layers" << std::right << std::setw(14)
        << "micro-batch" << std::setw(12) << "send" << std::setw(13) << "grad sync" << std::setw(12) << "memory"
        << "  in flight\n";
    for (std::size_t i = 0; i < p.stages.size(); ++i) {
      const StagePlan& st = p.stages[i];
      out << std::left << std::setw(7) << i << std::setw(static_cast<int>(width + 2)) << range(st) << std::right
          << std::setw(11) << fixed(st.microbatch_time_s * 1e3, 3) << " ms" << std::setw(9) << fixed(st.send_s * 1e3, 3)
          << " ms" << std::setw(10) << fixed(st.gradient_sync_s * 1e3, 2) << " ms" << std::setw(12)
          << gb(st.memory.total()) << "  " << fixed(st.in_flight_microbatches, 2)
          << (st.send_crosses_nodes ? "  (sends across nodes)" : "") << "\n";
    }
    out << "\n"
        << "pipeline   " << fixed(p.pipeline_time_s * 1e3, 3) << " ms, then " << fixed(p.exposed_gradient_sync_s * 1e3, 3)
        << " ms of gradient synchronisation exposed\n";
  } else {
    std::size_t width = 5;
    for (const EvaluatedLayer& l : r.layers) width = std::max(width, l.name.size());
    out << "\n" << std::left << std::setw(static_cast<int>(width + 2)) << "layer" << "config\n";
    for (const EvaluatedLayer& l : r.layers)
      out << std::setw(static_cast<int>(width + 2)) << l.name << join(l.config) << (l.recompute ? "  recomputes" : "")
          << "\n";
    out << "\n";
  }
  const StepBreakdown& b = r.breakdown;
  out << "step time  " << fixed(r.step_time_s * 1e3, 4) << " ms: compute " << fixed(b.compute_s * 1e3, 4)
      << " ms, communication " << fixed(b.communication_s * 1e3, 4) << " ms, exposed "
      << fixed(b.exposed_communication_s * 1e3, 4) << " ms\n";
  const MemoryBreakdown& m = r.memory;
  const double capacity = s.device_memory.capacity_bytes;
  out << "memory     " << gb(m.total()) << (capacity > 0 ? " of " + gb(capacity) : std::string()) << " a device ("
      << s.device_memory.recipe.precision << " " << s.device_memory.recipe.optimizer << "): " << memory_text(m) << "; "
      << (capacity <= 0 ? "not checked" : r.fits ? "fits" : "DOES NOT FIT") << "\n";
  if (s.problem.hardware && r.step_time_s > 0 && r.model_flop > 0)
    out << "model FLOP " << fixed(r.model_flop / r.step_time_s / static_cast<double>(s.problem.procs) / 1e12, 1)
        << " TFLOP/s a device, " << fixed(100.0 * r.model_flop / r.step_time_s / static_cast<double>(s.problem.procs) / r.peak_flop_per_s, 1)
        << "% of its peak (model FLOP utilisation: the GEMMs' 6 FLOP a multiply-add of a step, without recomputation)\n";
}

std::string evaluation_json(const EvaluationReport& r) {
  const SearchSettings& s = r.settings;
  const bool hardware = s.problem.hardware.has_value();
  auto kinds = [](const MemoryBreakdown& m) {
    return Json{{"weights", m.weights},         {"gradients", m.gradients}, {"optimizer", m.optimizer},
                {"activations", m.activations}, {"buffers", m.buffers},     {"reserve", m.reserve}};
  };
  Json params = Json::object();
  for (const auto& [name, value] : r.params) params[name] = value;
  const double per_device = r.step_time_s > 0 ? r.model_flop / r.step_time_s / static_cast<double>(s.problem.procs) : 0;
  Json doc = {
      {"model", r.model},
      {"file", r.file},
      {"params", params},
      {"procs", s.problem.procs},
      {"cost_model", hardware ? "hardware" : "paper"},
      {"cluster", hardware ? Json(s.problem.hardware->cluster().name) : Json(nullptr)},
      {"precision", hardware ? Json(precision_name(s.problem.hardware->precision())) : Json(nullptr)},
      {"devices_used", r.devices_used},
      {"setup", r.setup},
      {"step_time_s", r.step_time_s},
      {"step_breakdown",
       {{"compute_s", r.breakdown.compute_s},
        {"communication_s", r.breakdown.communication_s},
        {"exposed_communication_s", r.breakdown.exposed_communication_s}}},
      {"memory",
       {{"per_device_bytes", r.memory.total()},
        {"capacity_bytes", s.device_memory.capacity_bytes},
        {"breakdown", kinds(r.memory)},
        {"optimizer", s.device_memory.recipe.optimizer},
        {"training_precision", s.device_memory.recipe.precision}}},
      {"fits", r.fits},
      {"model_flop_per_step", r.model_flop},
      {"model_flop_per_s_per_device", per_device},
      // The paper model's FLOP are not the hardware's: no utilisation.
      {"model_flop_utilization", hardware && r.peak_flop_per_s > 0 ? Json(per_device / r.peak_flop_per_s) : Json(nullptr)},
  };
  if (r.pipeline) {
    const PipelinePlan& p = *r.pipeline;
    const MegatronSetup& m = *r.megatron;
    Json stages = Json::array();
    for (const StagePlan& st : p.stages) {
      Json chunks = Json::array();
      for (const LayerRange& c : st.chunks)
        chunks.push_back({{"first_layer", c.first}, {"last_layer", c.last}, {"first", r.layer_names[c.first]},
                          {"last", r.layer_names[c.last]}});
      stages.push_back({{"first_layer", st.first_layer},
                        {"last_layer", st.last_layer},
                        {"chunks", chunks},
                        {"devices", st.devices},
                        {"microbatch_time_s", st.microbatch_time_s},
                        {"compute_s", st.compute_s},
                        {"communication_s", st.communication_s},
                        {"recompute_s", st.recompute_s},
                        {"send_s", st.send_s},
                        {"send_crosses_nodes", st.send_crosses_nodes},
                        {"gradient_sync_s", st.gradient_sync_s},
                        {"exposed_gradient_sync_s", st.exposed_gradient_sync_s},
                        {"in_flight_microbatches", st.in_flight_microbatches},
                        {"memory_bytes_per_device", st.memory.total()},
                        {"memory_breakdown", kinds(st.memory)}});
    }
    doc["pipeline"] = {{"stages", stages},
                       {"microbatches", p.schedule.microbatches},
                       {"microbatch_size", m.microbatch},
                       {"interleave", p.schedule.interleave},
                       {"tensor_parallel", m.tp},
                       {"data_parallel", p.data_parallel},
                       {"sequence_parallel", m.sequence_parallel},
                       {"recompute", to_string(m.recompute)},
                       {"bubble_fraction", p.bubble_fraction},
                       {"pipeline_time_s", p.pipeline_time_s},
                       {"exposed_gradient_sync_s", p.exposed_gradient_sync_s}};
  } else {
    doc["pipeline"] = nullptr;
    Json layers = Json::array();
    for (const EvaluatedLayer& l : r.layers)
      layers.push_back({{"name", l.name}, {"config", l.config}, {"recompute", l.recompute}});
    doc["layers"] = layers;
  }
  return doc.dump(1) + "\n";
}

}  // namespace pase
