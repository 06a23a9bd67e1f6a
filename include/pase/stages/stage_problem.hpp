#pragma once
// A pipeline stage as a search problem of its own: the units the stage search cuts the network
// between, a contiguous range of layers as a network (the tensor entering it becomes its input), and
// the price of a stage: the plain PaSE search (the one search pipeline) on the stage's devices at the
// micro-batch size chooses every layer's configuration, the pipeline step model (pipeline_step.hpp)
// prices the result.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "pase/pipeline/search_run.hpp"
#include "pase/pipeline/search_settings.hpp"
#include "pase/stages/megatron.hpp"
#include "pase/stages/pipeline_step.hpp"
#include "pase/stages/stage_search.hpp"

namespace pase {

// The chain the stage search cuts: ranges of layers (in the network's order, which is topological)
// joined by exactly one tensor, the last layer's output of each; a network of repeated transformer
// layers (BLOCK.N.*) is cut only between them, as Megatron-LM cuts. Units with equal signatures
// (their layers' signatures and how they are wired among themselves) are priced alike.
struct StageUnits {
  std::vector<LayerRange> units;
  std::vector<std::string> signatures;
  std::vector<TensorSource> boundary;  // per unit: the one tensor it hands on (layer -1 for the last unit)
};
StageUnits stage_units(const Network& network);

// Layers range.first..range.last of `network` as a network: inputs from earlier layers become graph
// inputs (the stage receives them), measured edges inside the range are kept.
Network sub_network(const Network& network, LayerRange range);

// The rows of `model` (a network's problem) for layers range.first..range.last: the problem
// build_problem makes of sub_network(network, range), without pricing its layers again (the same
// vertices, and the edges with both ends inside, in the same order, sharing their matrices).
ModelProblem sub_model(const ModelProblem& model, LayerRange range);

// How a stage's layers are configured: by the plain search (fastest in the search's model, memory
// not considered), or Megatron-LM's tensor parallelism over the stage's devices (megatron.hpp; heads,
// d_ff and vocabulary split, weights never replicated: lean in memory; the vocabulary padded to a
// multiple of 128 times the stage's devices as Megatron-LM pads it, so the rule of thumb's stages are
// among the search's).
enum class StageStrategy { search, megatron };
const char* to_string(StageStrategy strategy);

// What a stage's price is made of, once per (micro-batch size, devices, layer range, recomputation).
struct PricedStage {
  const PricedNetwork* network = nullptr;  // what it is priced on (StagePricer::priced of its strategy)
  StageCost cost;                 // microbatch_time_s without the send to the next stage
  std::vector<int> configs;       // per layer of the range (shared by ranges of equal signatures)
  double search_total = 0;        // the plain search's objective of the range
};

// Prices stages of `settings`' model (its hardware model, device memory and recipe), keeping every
// priced network and stage. `units` are stage_units of the model at the step's batch size.
class StagePricer {
 public:
  explicit StagePricer(const SearchSettings& settings);

  const StageUnits& units() const { return units_; }
  std::int64_t batch() const { return batch_; }
  // The network at micro-batch size `microbatch_size` priced on `devices` devices (built once), as
  // `strategy` runs it (megatron: the vocabulary padded).
  const PricedNetwork& priced(std::int64_t microbatch_size, int devices, StageStrategy strategy = StageStrategy::search);
  // Units first..last as one stage replica on `devices` devices, micro-batches of `microbatch_size`,
  // the pipeline replicated `data_parallel` times (its gradients' all-reduce buffer).
  // runs is false when no configuration fits: either none exists, or the range's weights, gradients
  // and optimizer state alone, in their smallest configurations, exceed the device memory.
  const PricedStage& stage(int first_unit, int last_unit, int devices, std::int64_t microbatch_size,
                           Recompute recompute = Recompute::none, StageStrategy strategy = StageStrategy::search,
                           bool sequence_parallel = false, int data_parallel = 1);
  // The send of unit last_unit's boundary tensor forward and its gradient back, from the stage of
  // units first_unit..last_unit priced `stage` to one of as many devices, across nodes or not
  // (evaluate_pipeline's price of it).
  double send_s(const PricedStage& stage, int first_unit, int last_unit, int data_parallel, bool crosses_nodes) const;
  // The search inside the stage: the one search pipeline on the range's sub-network.
  SearchRun search_range(LayerRange layers, int devices, std::int64_t microbatch_size);
  // The layers of units first..last.
  LayerRange layers(int first_unit, int last_unit) const;
  std::uint64_t searches() const { return searches_; }
  // A stage's configurations as the step model reads them: per layer of the network, `range` filled.
  std::vector<int> network_configs(LayerRange range, const PricedStage& stage) const;

 private:
  // Prices out.configs on range: time, and memory split into held and a micro-batch's.
  PricedStage& price(PricedStage& out, LayerRange range, const PricedNetwork& p, Recompute recompute,
                     bool sequence_parallel, int devices, bool replicated) const;
  SearchSettings settings_;
  Network network_;  // at the step's batch
  StageUnits units_;
  std::vector<int> range_id_;  // per (first, last) unit range: equal for equal signature sequences
  std::int64_t batch_ = 1;
  std::map<std::tuple<std::int64_t, int, std::vector<std::string>>, std::unique_ptr<PricedNetwork>> networks_;
  // The plain search's strategy of a range (micro-batch size, devices, range id), and the priced stages.
  std::map<std::tuple<std::int64_t, int, int>, PricedStage> searched_;
  std::map<std::tuple<std::int64_t, int, int, Recompute, StageStrategy, bool, bool>, PricedStage> stages_;
  std::uint64_t searches_ = 0;
};

}  // namespace pase
