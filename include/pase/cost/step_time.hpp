#pragma once
// A training step's time from its layers' times, with the weight-gradient all-reduces run behind the
// backward pass as PyTorch DDP runs them (src/cluster/README.md, "Step time").

#include <vector>

#include "pase/cost/pricing.hpp"

namespace pase {

struct StepBreakdown {
  double compute_s = 0;                // every layer's forward and backward kernels
  double communication_s = 0;          // every collective and re-layout, as if run alone
  double exposed_communication_s = 0;  // the part of it the step waits for
  // Of compute_s, what the hidden gradient all-reduces take from the kernels (Tier::overlap_compute_loss).
  double overlap_compute_loss_s = 0;
  double step_time_s() const { return compute_s + exposed_communication_s; }
};

// The weight-gradient all-reduces of `layers` (forward order) behind their backward pass, in buckets
// as DDP fills them (25 MiB, the first 1 MiB; a gradient of unknown size, gradient_bytes 0, is a
// bucket of its own); a bucket is one message, its latency paid once, started when its last gradient
// is done and the previous bucket's all-reduce has finished. A bucket's part that runs while the
// backward pass does takes its layers' gradient_compute_loss_s, in proportion, from the computation
// (to first order: the delay does not move the later buckets).
struct GradientSync {
  double backward_s = 0;       // the backward pass
  double end_s = 0;            // when the last bucket's all-reduce ends, from the backward pass's start
  double communication_s = 0;  // the buckets' all-reduces, as if run alone
  double compute_loss_s = 0;   // the computation's time the hidden part of them takes
  double exposed_s() const { return end_s > backward_s ? end_s - backward_s : 0.0; }
};
GradientSync bucketed_gradient_sync(const std::vector<LayerTime>& layers);

// `layers` in forward (network) order; `relayout_s`: the re-layouts between layers, which the
// computation waits for. The backward pass runs the layers in reverse, their gradients synchronised
// by bucketed_gradient_sync; what runs past the end of the backward pass is exposed.
StepBreakdown overlapped_step(const std::vector<LayerTime>& layers, double relayout_s);

}  // namespace pase
