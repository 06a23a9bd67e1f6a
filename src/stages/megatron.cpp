#include "pase/stages/megatron.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include "pase/model/model_file.hpp"

namespace pase {

namespace {

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument("--megatron: " + message); }

std::int64_t positive(const std::string& key, const std::string& value) {
  std::size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || x < 1)
    fail(key + "=" + value + ": must be a positive whole number (e.g. " + key + "=8)");
  return x;
}

std::string divisors(std::int64_t x) {
  std::string s;
  for (std::int64_t d = 1; d <= x && d <= 64; ++d)
    if (x % d == 0) s += (s.empty() ? "" : ", ") + std::to_string(d);
  return s;
}

// The dimension tensor parallelism splits in `op`, or -1 (replicated); rules in megatron.hpp.
int tensor_parallel_dimension(const Operator& op, const Network& network, bool sequence_parallel) {
  const Shape& domain = op.domain();
  const std::string& letters = op.letters();
  const std::size_t batch = op.batch_dimension();
  const std::int64_t sequence = network.param_or("seq", -1);
  auto find = [&](const std::vector<std::int64_t>& sizes, const std::string& preferred) {
    int found = -1;
    for (char letter : preferred)
      for (std::size_t d = 0; d < domain.size() && found < 0; ++d)
        if (d != batch && d < letters.size() && letters[d] == letter &&
            std::find(sizes.begin(), sizes.end(), domain[d]) != sizes.end())
          found = static_cast<int>(d);
    // Without the letter, a dimension of the sequence's size is never taken for another one.
    for (std::size_t d = 0; d < domain.size() && found < 0; ++d)
      if (d != batch && (domain[d] != sequence || sizes == std::vector<std::int64_t>{sequence}) &&
          std::find(sizes.begin(), sizes.end(), domain[d]) != sizes.end())
        found = static_cast<int>(d);
    return found;
  };
  std::vector<std::int64_t> heads;
  for (const char* name : {"heads", "kv_heads"})
    if (network.param_or(name, -1) > 0) heads.push_back(network.param_or(name, -1));
  if (int d = find(heads, "hg"); d >= 0) return d;
  std::vector<std::int64_t> wide;
  for (const char* name : {"d_ff", "vocab"})
    if (network.param_or(name, -1) > 0) wide.push_back(network.param_or(name, -1));
  if (int d = find(wide, "fv"); d >= 0) return d;
  if (sequence_parallel && sequence > 0) return find({sequence}, "l");
  return -1;
}

}  // namespace

MegatronSetup parse_megatron(const std::string& text) {
  MegatronSetup s;
  std::stringstream in(text);
  std::string item;
  bool any = false;
  while (std::getline(in, item, ',')) {
    if (item.empty()) fail("'" + text + "' has an empty item; write tp=8,pp=8,dp=1,microbatch=1");
    any = true;
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "sequence-parallel") {
      if (eq != std::string::npos) fail("sequence-parallel takes no value; write it alone");
      s.sequence_parallel = true;
      continue;
    }
    if (eq == std::string::npos) fail("'" + item + "' needs a value: " + item + "=N");
    if (key == "tp") s.tp = positive(key, value);
    else if (key == "pp") s.pp = positive(key, value);
    else if (key == "dp") s.dp = positive(key, value);
    else if (key == "microbatch") s.microbatch = positive(key, value);
    else if (key == "interleave") s.interleave = static_cast<int>(std::min<std::int64_t>(positive(key, value), 1 << 20));
    else if (key == "recompute") s.recompute = parse_recompute(value, "--megatron: recompute");
    else
      fail("unknown key '" + key + "'; use tp, pp, dp, microbatch, interleave, sequence-parallel and recompute");
  }
  if (!any) fail("empty; write tp=8,pp=8,dp=1,microbatch=1");
  return s;
}

std::string to_string(const MegatronSetup& s) {
  std::string text = "tp=" + std::to_string(s.tp) + ",pp=" + std::to_string(s.pp) + ",dp=" + std::to_string(s.dp) +
                     ",microbatch=" + std::to_string(s.microbatch);
  if (s.interleave > 1) text += ",interleave=" + std::to_string(s.interleave);
  if (s.sequence_parallel) text += ",sequence-parallel";
  return text + ",recompute=" + to_string(s.recompute);
}

std::int64_t padded_vocabulary(std::int64_t vocab, std::int64_t tp) {
  const std::int64_t multiple = 128 * tp;
  return (vocab + multiple - 1) / multiple * multiple;
}

std::vector<std::string> megatron_overrides(const Network& network, std::vector<std::string> overrides,
                                            std::int64_t tp) {
  const std::int64_t vocab = network.param_or("vocab", -1);
  if (vocab > 0) overrides.push_back("vocab=" + std::to_string(padded_vocabulary(vocab, tp)));
  return overrides;
}

void check_megatron(const MegatronSetup& s, const Network& network, std::int64_t procs) {
  for (const char* name : {"heads", "kv_heads"}) {
    const std::int64_t heads = network.param_or(name, -1);
    if (heads > 0 && heads % s.tp != 0)
      fail("tp=" + std::to_string(s.tp) + " does not divide the " + std::to_string(heads) + " attention " +
           (std::string(name) == "heads" ? "heads" : "key/value heads") + " of " + network.name +
           "; use a tp that divides " + std::to_string(heads) + " (" + divisors(heads) + ")");
  }
  if (const std::int64_t d_ff = network.param_or("d_ff", -1); d_ff > 0 && d_ff % s.tp != 0)
    fail("tp=" + std::to_string(s.tp) + " does not divide d_ff = " + std::to_string(d_ff) + "; use a tp dividing it");
  if (const std::int64_t vocab = network.param_or("vocab", -1); vocab > 0 && vocab % s.tp != 0)
    fail("tp=" + std::to_string(s.tp) + " does not divide the vocabulary of " + std::to_string(vocab) +
         " (pase pads it to " + std::to_string(padded_vocabulary(vocab, s.tp)) + " as Megatron-LM does)");
  if (s.sequence_parallel) {
    const std::int64_t seq = network.param_or("seq", -1);
    if (seq < 1) fail("sequence-parallel needs the model parameter 'seq' (the sequence length); " + network.name + " has none");
    if (seq % s.tp != 0)
      fail("sequence-parallel: tp=" + std::to_string(s.tp) + " does not divide the sequence of " + std::to_string(seq));
  }
  if (s.tp * s.pp * s.dp != procs) {
    std::string fix;
    if (procs % (s.tp * s.pp) == 0) fix = "; use dp=" + std::to_string(procs / (s.tp * s.pp));
    fail("tp·pp·dp = " + std::to_string(s.tp) + "·" + std::to_string(s.pp) + "·" + std::to_string(s.dp) + " = " +
         std::to_string(s.tp * s.pp * s.dp) + " devices, but --procs is " + std::to_string(procs) + fix +
         " (or change --procs)");
  }
  const std::int64_t layers = static_cast<std::int64_t>(transformer_layers(network).size());
  if (s.pp > 1 && layers == 0)
    fail("pp=" + std::to_string(s.pp) + ": " + network.name +
         " has no transformer layers (a repeated block, layers named NAME.N.*) to cut into stages; use pp=1");
  if (s.pp > layers && s.pp > 1)
    fail("pp=" + std::to_string(s.pp) + " is more than the " + std::to_string(layers) + " transformer layers of " +
         network.name + "; use pp of at most " + std::to_string(layers));
  if (s.interleave > 1 && s.pp < 2) fail("interleave=" + std::to_string(s.interleave) + " needs pp of at least 2");
  if (layers > 0 && layers % (s.pp * s.interleave) != 0)
    fail("pp·interleave = " + std::to_string(s.pp * s.interleave) + " does not divide the " + std::to_string(layers) +
         " transformer layers of " + network.name + "; use a pp (and interleave) whose product divides " +
         std::to_string(layers));
  const std::int64_t batch = network.param_or("batch", -1);
  if (batch < 1) fail(network.name + " has no 'batch' parameter to cut into micro-batches");
  if (batch % (s.dp * s.microbatch) != 0)
    fail("microbatch=" + std::to_string(s.microbatch) + " with dp=" + std::to_string(s.dp) +
         " does not divide the batch of " + std::to_string(batch) + "; use a micro-batch size dividing " +
         (batch % s.dp == 0 ? std::to_string(batch / s.dp) + " (the batch a replica gets)"
                            : std::to_string(batch) + " and a dp dividing it"));
  const std::int64_t m = batch / (s.dp * s.microbatch);
  if (s.interleave > 1 && m % s.pp != 0)
    fail("interleave needs the " + std::to_string(m) + " micro-batches a step to be a multiple of pp=" +
         std::to_string(s.pp) + " (Megatron-LM's rule); change microbatch or dp");
}

std::vector<int> megatron_configs(const Network& network, const ModelProblem& model, std::int64_t tp,
                                  bool sequence_parallel) {
  return megatron_configs(network, model, tp, sequence_parallel, {0, static_cast<int>(network.layers.size()) - 1});
}

std::vector<int> megatron_configs(const Network& network, const ModelProblem& model, std::int64_t tp,
                                  bool sequence_parallel, LayerRange range) {
  std::vector<int> chosen(network.layers.size(), 0);
  for (std::size_t v = static_cast<std::size_t>(range.first); v <= static_cast<std::size_t>(range.last); ++v) {
    const Operator& op = *network.layers[v].model;
    Config config(op.domain().size(), 1);
    const int d = tp > 1 ? tensor_parallel_dimension(op, network, sequence_parallel) : -1;
    if (d >= 0) config[static_cast<std::size_t>(d)] = tp;
    const auto& configs = model.configs[v];
    const auto it = std::find(configs.begin(), configs.end(), config);
    if (it == configs.end())
      throw std::invalid_argument(network.file + ": layer '" + network.layers[v].name + "': tp=" + std::to_string(tp) +
                                  " splits its dimension '" + std::string(1, op.letters()[static_cast<std::size_t>(d)]) +
                                  "' of " + std::to_string(op.domain()[static_cast<std::size_t>(d)]) +
                                  ", which is not one of its configurations (indivisible, or below the model's cutoff)");
    chosen[v] = static_cast<int>(it - configs.begin());
  }
  return chosen;
}

std::vector<std::vector<LayerRange>> megatron_stages(const Network& network, std::int64_t pp, int interleave) {
  const int n = static_cast<int>(network.layers.size());
  const std::vector<LayerRange> blocks = transformer_layers(network);
  const std::int64_t chunks = pp * interleave;
  std::vector<std::vector<LayerRange>> stages(static_cast<std::size_t>(pp));
  if (chunks == 1 || blocks.empty()) {
    stages.front().push_back({0, n - 1});
    return stages;
  }
  const std::size_t per = blocks.size() / static_cast<std::size_t>(chunks);
  int next = 0;
  for (std::int64_t k = 0; k < chunks; ++k) {
    const int last = k + 1 == chunks ? n - 1 : blocks[static_cast<std::size_t>(k + 1) * per - 1].last;
    stages[static_cast<std::size_t>(k % pp)].push_back({next, last});
    next = last + 1;
  }
  return stages;
}

PipelinePlan evaluate_megatron(const MegatronSetup& setup, const PricedNetwork& priced, std::int64_t global_batch) {
  const std::vector<int> configs = megatron_configs(priced.network, priced.model, setup.tp, setup.sequence_parallel);
  std::vector<StageSpec> stages;
  for (auto& chunks : megatron_stages(priced.network, setup.pp, setup.interleave))
    stages.push_back({std::move(chunks), &priced, configs});
  PipelineOptions options;
  options.schedule = {static_cast<int>(setup.pp), global_batch / (setup.dp * setup.microbatch), setup.interleave};
  options.data_parallel = static_cast<int>(setup.dp);
  options.recompute = setup.recompute;
  options.sequence_parallel = setup.sequence_parallel;
  return evaluate_pipeline(stages, options);
}

std::optional<RuleOfThumb> megatron_rule_of_thumb(const std::string& model_file,
                                                  const std::vector<std::string>& overrides, std::int64_t procs,
                                                  const HardwarePricing& pricing, const TrainingRecipe& recipe,
                                                  double reserve_bytes, double capacity_bytes) {
  const Network given = load_model(model_file, overrides);
  const std::int64_t batch = given.param_or("batch", -1), heads = given.param_or("heads", -1);
  const std::int64_t layers = static_cast<std::int64_t>(transformer_layers(given).size());
  if (batch < 1 || heads < 1 || layers < 1) return std::nullopt;
  auto divides = [&](std::int64_t t) {
    for (const char* name : {"heads", "kv_heads", "d_ff"})
      if (given.param_or(name, -1) > 0 && given.param_or(name, -1) % t != 0) return false;
    return procs % t == 0;
  };
  std::int64_t tp = 1;
  for (std::int64_t t = std::min<std::int64_t>(pricing.cluster().devices_per_node, procs); t > 1; --t)
    if (divides(t)) {
      tp = t;
      break;
    }
  const std::int64_t seq = given.param_or("seq", -1);
  const std::vector<std::string> padded = megatron_overrides(given, overrides, tp);
  const Network network = load_model(model_file, padded);
  std::map<std::int64_t, PricedNetwork> priced;  // by micro-batch size
  std::optional<RuleOfThumb> smallest;
  for (Recompute recompute : {Recompute::none, Recompute::selective, Recompute::full})
    for (std::int64_t pp = 1; pp <= layers; ++pp) {
      if (layers % pp != 0 || (procs / tp) % pp != 0) continue;
      const std::int64_t dp = procs / (tp * pp);
      if (batch % dp != 0) continue;
      for (std::int64_t mb = std::min<std::int64_t>(16, batch / dp); mb >= 1; --mb) {
        if ((batch / dp) % mb != 0) continue;
        MegatronSetup setup;
        setup.tp = tp;
        setup.pp = pp;
        setup.dp = dp;
        setup.microbatch = mb;
        setup.sequence_parallel = tp > 1 && seq > 0 && seq % tp == 0;
        setup.recompute = recompute;
        try {
          check_megatron(setup, network, procs);
        } catch (const std::invalid_argument&) {
          continue;
        }
        // A model whose layers cannot take the setup (a cutoff, an operator without a physical
        // description) has no such baseline; the search goes on without it.
        RuleOfThumb r{setup, {}, false};
        try {
          auto it = priced.find(mb);
          if (it == priced.end())
            it = priced.emplace(mb, price_network(model_file, padded, mb, tp, pricing, recipe, reserve_bytes)).first;
          r.plan = evaluate_megatron(setup, it->second, batch);
        } catch (const std::invalid_argument&) {
          continue;
        }
        r.fits = capacity_bytes <= 0 || r.plan.peak_memory().total() <= capacity_bytes;
        if (r.fits) return r;
        if (!smallest || r.plan.peak_memory().total() < smallest->plan.peak_memory().total()) smallest = r;
      }
    }
  return smallest;
}

}  // namespace pase
