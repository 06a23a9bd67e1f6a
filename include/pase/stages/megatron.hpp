#pragma once
// A Megatron-LM setup (tensor, pipeline and data parallelism, micro-batches, interleaving, sequence
// parallelism, recomputation) as pase layer configurations and pipeline stages (README.md,
// "pase evaluate"). The mapping of tensor parallelism to configurations, by layer:
//   1. a layer with a dimension of the attention heads (`heads` or `kv_heads`; the letter h, then g,
//      preferred) splits it tp ways: the fused QKV projection (column-parallel), scores, softmax,
//      weighted sum and the output projection (row-parallel, its output all-reduced), as Megatron-LM
//      splits attention by heads (Shoeybi et al. 2019, sec. 3);
//   2. else a layer with a dimension of `d_ff` or `vocab` splits it tp ways: the first MLP projection
//      (column-parallel), the second (row-parallel), the embedding, the vocabulary projection and the
//      loss (Megatron-LM's vocabulary-parallel embedding and cross-entropy, the vocabulary padded to a
//      multiple of 128 · tp as Megatron-LM pads it);
//   3. else (norms, residual additions, position embeddings): replicated on the tp devices, or with
//      sequence parallelism split tp ways along the sequence (`seq`; Korthikanti et al. 2022).
// The batch dimension is never split by tp. Dimensions are found by their sizes, from the model's
// parameters heads, kv_heads, d_ff, vocab and seq, a dimension with the rule's letter (h, g; f, v; l)
// first; a dimension of the sequence's size is taken for another rule only by its letter.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pase/model/network.hpp"
#include "pase/stages/pipeline_step.hpp"

namespace pase {

struct MegatronSetup {
  std::int64_t tp = 1, pp = 1, dp = 1;
  std::int64_t microbatch = 1;  // sequences a micro-batch (Megatron-LM's --micro-batch-size)
  int interleave = 1;           // model chunks a device (Megatron-LM's virtual pipeline stages)
  bool sequence_parallel = false;
  Recompute recompute = Recompute::none;
};

// "tp=8,pp=8,dp=1,microbatch=1[,interleave=3][,sequence-parallel][,recompute=full|selective|none]".
// Throws std::invalid_argument "--megatron: ..." naming the key and the fix.
MegatronSetup parse_megatron(const std::string& text);
std::string to_string(const MegatronSetup& setup);

// Megatron-LM pads the vocabulary to a multiple of 128 · tp (--make-vocab-size-divisible-by 128):
// the padded size, and `overrides` with it for a network with a `vocab` parameter.
std::int64_t padded_vocabulary(std::int64_t vocab, std::int64_t tp);
std::vector<std::string> megatron_overrides(const Network& network, std::vector<std::string> overrides,
                                            std::int64_t tp);

// Throws std::invalid_argument "--megatron: ..." when the setup cannot run `network` (at its full
// batch, its vocabulary padded) on `procs` devices: tp·pp·dp ≠ procs, tp not dividing the heads (or
// d_ff, the sequence with sequence parallelism), pp·interleave not dividing the transformer layers,
// the micro-batch not dividing the batch a replica gets.
void check_megatron(const MegatronSetup& setup, const Network& network, std::int64_t procs);

// Each layer's configuration under tensor parallelism `tp` (the rules above), as an index into
// model.configs (a problem built on tp devices). Throws std::invalid_argument naming the layer when a
// configuration is not among the layer's.
std::vector<int> megatron_configs(const Network& network, const ModelProblem& model, std::int64_t tp,
                                  bool sequence_parallel);
// The same for layers range.first..range.last only (the others 0): a stage's layers.
std::vector<int> megatron_configs(const Network& network, const ModelProblem& model, std::int64_t tp,
                                  bool sequence_parallel, LayerRange range);

// The layer ranges of each of pp stages with `interleave` chunks a stage: the transformer layers
// (transformer_layers) in pp · interleave equal chunks, chunk k on stage k mod pp; the layers before
// the first transformer layer join the first chunk, those after the last join the last.
std::vector<std::vector<LayerRange>> megatron_stages(const Network& network, std::int64_t pp, int interleave);

// The whole setup evaluated: `priced` is the network at the micro-batch size on tp devices
// (price_network); `global_batch` the batch of a step, m = global_batch / (dp · microbatch).
PipelinePlan evaluate_megatron(const MegatronSetup& setup, const PricedNetwork& priced, std::int64_t global_batch);

// The Megatron-LM rule of thumb (issue 17, item 4), what an expert team would run on `procs` devices:
// tensor parallelism over the largest tp up to the devices of a node that divides the devices, the
// heads and d_ff (the vocabulary padded), with sequence parallelism (Korthikanti et al. 2022); no
// recomputation, else selective, else full, the first that lets something fit; with it the fewest
// pipeline stages that fit the capacity, data parallelism for the rest, and the largest micro-batch
// (of at most 16 sequences, dividing the replica's batch) that fits. fits is false, with the smallest setup tried,
// when none fits. Empty for a model that is not a transformer (no heads, batch or repeated block).
struct RuleOfThumb {
  MegatronSetup setup;
  PipelinePlan plan;
  bool fits = false;
};
std::optional<RuleOfThumb> megatron_rule_of_thumb(const std::string& model_file,
                                                  const std::vector<std::string>& overrides, std::int64_t procs,
                                                  const HardwarePricing& pricing, const TrainingRecipe& recipe,
                                                  double reserve_bytes, double capacity_bytes);

}  // namespace pase
