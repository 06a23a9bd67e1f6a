#include "pase/cost/step_time.hpp"

#include <algorithm>

namespace pase {

namespace {

// PyTorch DistributedDataParallel's bucket sizes (torch/nn/parallel/distributed.py): gradients are
// all-reduced in buckets filled in reverse order of the layers, the first one closed at
// _DEFAULT_FIRST_BUCKET_BYTES (1 MiB, so the last layers' gradients start early), the others at
// bucket_cap_mb (default 25 MiB).
constexpr double kFirstBucketBytes = 1024.0 * 1024;
constexpr double kBucketBytes = 25.0 * 1024 * 1024;

// The gradients of the layers of one bucket, all-reduced as one message: their bandwidth terms
// add, the per-message latency is paid once (the largest of the layers').
struct Bucket {
  double seconds = 0, latency_sum = 0, latency_max = 0, bytes = 0, compute_loss = 0;
  bool empty() const { return seconds <= 0; }
  double fused_s() const { return seconds - latency_sum + latency_max; }
};

}  // namespace

GradientSync bucketed_gradient_sync(const std::vector<LayerTime>& layers) {
  GradientSync sync;
  double network_free = 0;
  Bucket bucket;
  bool first = true;  // no bucket of known size closed yet
  struct Sent {
    double start, seconds, compute_loss;
  };
  std::vector<Sent> hidden;
  // A bucket's all-reduce starts when the backward pass has produced all its gradients (now) and
  // the previous bucket's all-reduce has finished.
  auto flush = [&] {
    if (bucket.empty()) return;
    const double s = bucket.fused_s();
    const double start = std::max(network_free, sync.backward_s);
    network_free = start + s;
    sync.communication_s += s;
    // How much of it runs before the backward pass ends is known once the whole pass is (below).
    hidden.push_back({start, s, bucket.compute_loss * s / bucket.seconds});
    if (bucket.bytes > 0) first = false;
    bucket = Bucket{};
  };
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    sync.backward_s += it->backward_s;
    if (it->gradient_s <= 0) continue;
    if (it->gradient_bytes <= 0) flush();  // a gradient of unknown size is a bucket of its own
    bucket.seconds += it->gradient_s;
    bucket.latency_sum += it->gradient_latency_s;
    bucket.latency_max = std::max(bucket.latency_max, it->gradient_latency_s);
    bucket.bytes += it->gradient_bytes;
    bucket.compute_loss += it->gradient_compute_loss_s;
    if (it->gradient_bytes <= 0 || bucket.bytes >= (first ? kFirstBucketBytes : kBucketBytes)) flush();
  }
  flush();
  sync.end_s = network_free;
  for (const Sent& b : hidden) {
    const double overlap = std::clamp(sync.backward_s - b.start, 0.0, b.seconds);
    sync.compute_loss_s += b.compute_loss * overlap / b.seconds;
  }
  return sync;
}

StepBreakdown overlapped_step(const std::vector<LayerTime>& layers, double relayout_s) {
  StepBreakdown step;
  double blocking = relayout_s;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    step.compute_s += it->compute_s;
    blocking += it->communication_s;
    step.communication_s += it->communication_s;
  }
  const GradientSync sync = bucketed_gradient_sync(layers);
  step.communication_s += sync.communication_s + relayout_s;
  step.exposed_communication_s = blocking + sync.exposed_s();
  step.overlap_compute_loss_s = sync.compute_loss_s;
  step.compute_s += sync.compute_loss_s;
  return step;
}

}  // namespace pase
