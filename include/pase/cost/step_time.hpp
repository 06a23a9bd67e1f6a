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
  double step_time_s() const { return compute_s + exposed_communication_s; }
};

// `layers` in forward (network) order; `relayout_s`: the re-layouts between layers, which the
// computation waits for. The backward pass runs the layers in reverse; their weight gradients fill
// buckets of 25 MiB as DDP's do (a layer's gradient of unknown size, gradient_bytes 0, is a bucket
// of its own); a bucket's all-reduce, one message whose latency is paid once, starts when its last
// gradient is done and the previous bucket's all-reduce has finished; what runs past the end of the
// backward pass is exposed.
StepBreakdown overlapped_step(const std::vector<LayerTime>& layers, double relayout_s);

}  // namespace pase
