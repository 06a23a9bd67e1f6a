#pragma once
// The named bounds on what an input may ask for. Each refusal is a one-line error (exit 2) instead of a
// crash (deep recursion), an allocation failure, or a silently truncated value.

#include <cstddef>
#include <cstdint>

namespace pase::limits {

// Parentheses and unary minuses nested in one expression ("((((1))))", "- - - 1").
inline constexpr int kMaxExpressionDepth = 256;
// Lists and objects nested in one JSON document (model, cluster, results metadata).
inline constexpr int kMaxJsonDepth = 64;
// `repeat` of one block instance.
inline constexpr std::int64_t kMaxBlockRepeat = 100000;
// Layers in one expanded network (after every block is instantiated).
inline constexpr std::size_t kMaxLayers = 1000000;
// `pointwise_ops` of one operator (elementwise operations fused after it).
inline constexpr std::int64_t kMaxPointwiseOps = 1 << 20;

// A measured cost (a layer's or an edge's, in the model file's units): finite, not negative and at most
// this, so that sums over kMaxLayers layers and speedups stay finite.
inline constexpr double kMaxMeasuredCost = 1e30;
// Device speeds (--flops in TFLOP/s, --bw in GB/s): outside this range step times overflow or vanish.
inline constexpr double kMinDeviceSpeed = 1e-6;
inline constexpr double kMaxDeviceSpeed = 1e9;
// Values of one sweep axis, and points of one model's sweep.
inline constexpr std::size_t kMaxAxisValues = 1'000'000;
inline constexpr std::uint64_t kMaxSweepPoints = 100'000'000;

// `pase plan --ranks`: the per-rank replay of the distribution keeps a few numbers per rank and step.
inline constexpr int kMaxPlanRanks = 1 << 20;

}  // namespace pase::limits
