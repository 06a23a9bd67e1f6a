#include "pase/cost/step_time.hpp"

#include <algorithm>

namespace pase {

namespace {

// PyTorch DistributedDataParallel's bucket_cap_mb default (25 MiB): gradients are all-reduced in
// buckets of about this size, filled in reverse order of the layers.
constexpr double kBucketBytes = 25.0 * 1024 * 1024;

// The gradients of the layers of one bucket, all-reduced as one message: their bandwidth terms
// add, the per-message latency is paid once (the largest of the layers').
struct Bucket {
  double seconds = 0, latency_sum = 0, latency_max = 0, bytes = 0;
  bool empty() const { return seconds <= 0; }
  double fused_s() const { return seconds - latency_sum + latency_max; }
};

}  // namespace

StepBreakdown overlapped_step(const std::vector<LayerTime>& layers, double relayout_s) {
  StepBreakdown step;
  double blocking = relayout_s, backward_end = 0, network_free = 0;
  Bucket bucket;
  // A bucket's all-reduce starts when the backward pass has produced all its gradients (now) and
  // the previous bucket's all-reduce has finished.
  auto flush = [&] {
    if (bucket.empty()) return;
    const double s = bucket.fused_s();
    network_free = std::max(network_free, backward_end) + s;
    step.communication_s += s;
    bucket = Bucket{};
  };
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    step.compute_s += it->compute_s;
    blocking += it->communication_s;
    backward_end += it->backward_s;
    step.communication_s += it->communication_s;
    if (it->gradient_s <= 0) continue;
    // A gradient of unknown size is a bucket of its own.
    if (it->gradient_bytes <= 0) flush();
    bucket.seconds += it->gradient_s;
    bucket.latency_sum += it->gradient_latency_s;
    bucket.latency_max = std::max(bucket.latency_max, it->gradient_latency_s);
    bucket.bytes += it->gradient_bytes;
    if (it->gradient_bytes <= 0 || bucket.bytes >= kBucketBytes) flush();
  }
  flush();
  step.communication_s += relayout_s;
  step.exposed_communication_s = blocking + std::max(0.0, network_free - backward_end);
  return step;
}

}  // namespace pase
