#pragma once
// The step model of a pipeline (issue 17; README.md, "pase evaluate"): stages of contiguous layers, each
// priced at the micro-batch size on its own devices by the hardware model, run with the 1F1B schedule
// (pipeline_schedule.hpp), activations sent point to point between stages on the tier the boundary
// crosses, the weight gradients synchronised once a step across the data-parallel replicas behind
// the last micro-batch's backward pass, and each stage's memory with its in-flight micro-batches.
//
// With one stage and one micro-batch this is the plain strategy evaluation (hardware_step); with
// one stage and m micro-batches it is gradient accumulation.

#include <cstdint>
#include <string>
#include <vector>

#include "pase/cost/memory.hpp"
#include "pase/model/model_memory.hpp"
#include "pase/model/model_problem.hpp"
#include "pase/stages/pipeline_plan.hpp"

namespace pase {

// Activation recomputation, as Megatron-LM and Korthikanti et al. 2022 (sec. 5) define it:
// none; selective: the attention core (the layers whose iteration space has both sequence
// dimensions, l and m of the sequence length: scores, softmax, weighted sum) keeps none of its
// tensors spanning both and runs its forward pass again in the backward pass; full: every transformer layer (a repeated block's
// instance, layers named BLOCK.N.*) keeps only the tensors entering it and runs its forward pass again.
enum class Recompute { none, selective, full };
// Throws std::invalid_argument naming `option` unless text is none, selective or full.
Recompute parse_recompute(const std::string& text, const std::string& option);
const char* to_string(Recompute recompute);

// A network at one micro-batch size priced on the devices of one stage replica.
struct PricedNetwork {
  Network network;
  ProblemOptions options;  // the hardware model on `devices` devices
  ModelProblem model;
  ModelMemory memory;
  std::int64_t devices = 1;
};

// Loads `model_file` with `overrides` and batch = microbatch_size, and prices it on `devices`
// devices of `pricing`'s cluster. Throws std::invalid_argument naming the file and the field.
PricedNetwork price_network(const std::string& model_file, std::vector<std::string> overrides,
                            std::int64_t microbatch_size, std::int64_t devices, const HardwarePricing& pricing,
                            const TrainingRecipe& recipe, double reserve_bytes);

// One stage: the layer ranges its devices run (one; v with interleaving), priced by `priced` (whose
// device count is the stage replica's), each layer in configuration configs[v] (an index into
// priced->model.configs[v]; only the stage's layers are read).
struct StageSpec {
  std::vector<LayerRange> chunks;
  const PricedNetwork* priced = nullptr;
  std::vector<int> configs;
};

struct PipelineOptions {
  PipelineSchedule schedule;
  int data_parallel = 1;
  Recompute recompute = Recompute::none;
  // The layers split along the sequence (Korthikanti et al. 2022, sec. 4.2.2) take their part of the
  // tensor-parallel all-reduce's two halves (reduce-scatter into them, all-gather out of them): the
  // edges between such layers and tensor-parallel ones cost nothing beyond that all-reduce, already
  // priced in the tensor-parallel layer.
  bool sequence_parallel = false;
};

// Whether a layer is in the attention core (its iteration space has dimensions l and m of the
// sequence's length), and each transformer layer's layers (for full
// recomputation): exposed for tests and for the stage search.
bool attention_core(const Layer& layer, std::int64_t sequence);
std::vector<LayerRange> transformer_layers(const Network& network);

// One stage on its own: a micro-batch's time and the stage's memory (stage_index and the schedule
// give its in-flight micro-batches; only the stage's own layers' configurations are read), the
// gradient synchronisation across `options.data_parallel` replicas laid out `stride` devices apart
// (Megatron-LM's order: a stage replica's devices consecutive, then the replicas, then the stages). send_s is left 0 (evaluate_pipeline sets it).
StagePlan price_stage(const StageSpec& stage, const PipelineOptions& options, int stage_index, std::int64_t stride);

// One tensor of `whole_bytes` handed from a stage to a later one, forward, and its gradient back:
// each of the `senders` devices sends its 1/senders share (Narayanan et al. 2021, sec. 4.1), on the
// network when `crosses` (the node's adapters shared by its sending devices of all `data_parallel`
// replicas) else within the node; a tensor split into fewer than `senders` parts is all-gathered
// again among the `receivers`.
double stage_send_s(const HardwarePricing& pricing, double whole_bytes, double parts, std::int64_t senders,
                    std::int64_t receivers, std::int64_t data_parallel, bool crosses);

// Whether the send from a stage whose data_parallel replicas of da devices each start at device
// `from` (Megatron-LM's order) to a stage of db devices a replica starting at `to` leaves a node:
// device i of a replica sends its share to device i mod db of the same replica of the receiver.
bool send_crosses_nodes(std::int64_t from, std::int64_t da, std::int64_t to, std::int64_t db, std::int64_t data_parallel,
                        std::int64_t node_devices);

// The whole pipeline: every stage priced, the sends between consecutive stages, the 1F1B time,
// the exposed gradient synchronisation and the peak memory. Throws std::invalid_argument when the
// schedule cannot run (schedule_error) or the stages do not cover the layers in order.
PipelinePlan evaluate_pipeline(const std::vector<StageSpec>& stages, const PipelineOptions& options);

}  // namespace pase
