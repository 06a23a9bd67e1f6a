#pragma once
// `pase evaluate`: a given setup priced as a training step and reported like a search (README.md,
// "pase evaluate"): a Megatron-LM setup (pipeline stages, micro-batches, tensor and data
// parallelism; pase/stages/megatron.hpp) or a strategy a search wrote (--output JSON).

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "pase/pipeline/search_settings.hpp"
#include "pase/stages/megatron.hpp"

namespace pase {

struct EvaluatedLayer {
  std::string name;
  Config config;
  bool recompute = false;
};

struct EvaluationReport {
  std::string model;
  std::string file;
  Parameters params;  // the model's, at the whole batch
  SearchSettings settings;
  std::string setup;  // "megatron tp=...", or "strategy FILE"
  std::optional<MegatronSetup> megatron;
  std::optional<PipelinePlan> pipeline;   // Megatron setups
  std::vector<EvaluatedLayer> layers;     // strategies: each layer's configuration
  std::vector<std::string> layer_names;   // every layer of the network, in order
  StepBreakdown breakdown;
  double step_time_s = 0;
  MemoryBreakdown memory;  // per device at the peak (a pipeline: its fullest stage's devices)
  bool fits = true;        // within settings.device_memory.capacity_bytes (0: not checked)
  double model_flop = 0;   // a step's GEMMs, forward and backward, without recomputation
  double peak_flop_per_s = 0;  // a device's, at the precision
  std::int64_t devices_used = 0;
};

// Throws std::invalid_argument ("--megatron: ...") when the setup cannot run the model.
EvaluationReport evaluate_megatron_setup(const SearchSettings& settings, const MegatronSetup& setup);
// `strategy_file`: a pase search --output JSON. Its model file, parameters, devices, cluster,
// precision and training recipe are the settings (model_file overrides its model path when not
// empty). Throws std::invalid_argument naming the file and the field.
EvaluationReport evaluate_strategy_file(const std::string& strategy_file, const std::string& model_file);
// The report of a pipeline plan: `shape` names its shape (a stage replica's devices as tp, the
// stages as pp, the replicas as dp), `model_flop` the step's model FLOP; setup left empty.
EvaluationReport pipeline_evaluation(const SearchSettings& settings, const Network& network, const MegatronSetup& shape,
                                     const PipelinePlan& plan, double model_flop);

void print_evaluation(std::ostream& out, const EvaluationReport& report);
std::string evaluation_json(const EvaluationReport& report);

// The 2 · multiply-adds of every GEMM of a step (forward, input and weight gradients) of `network`
// unsplit: the model FLOP that model FLOP utilisation counts (Korthikanti et al. 2022, sec. 6.3).
double model_flop_per_step(const Network& network);

}  // namespace pase
