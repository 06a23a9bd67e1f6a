#pragma once
// The outer search of pipeline parallelism (issue 17): a chain of layers cut into contiguous stages,
// each stage on its own devices, run with a 1F1B schedule of m micro-batches. Given every stage's
// price (a callback: a layer range on a device count at a micro-batch count), it finds the cuts,
// the devices of every stage and m that minimise pipeline_time_s = sum(t) + (m - 1) max(t) among the
// pipelines whose every stage fits its devices' memory with its in-flight micro-batches. A stage's
// time may depend on where it stands: whether its send to the next stage crosses nodes.
//
// The DP is Alpa's inter-operator pass (Zheng et al. 2022, OSDI, sec. 5.2): for every candidate
// bound t_max on the slowest stage (each stage time that occurs), a DP over layer suffixes and the
// devices left minimises the sum of stage times using only stages no slower than t_max; the best
// pipeline is the minimum over t_max of that sum plus (m - 1) t_max. Exact: the optimum's own
// slowest stage is one of the bounds tried, and every sum found under a bound is of a pipeline whose
// slowest stage is within it. A third DP coordinate, the stages from this one to the last (up to m),
// gives every stage its in-flight micro-batches min(m, S - s) (pipeline_schedule.hpp), so memory is
// checked exactly as the schedule holds it. Bounds are tried from the smallest up and the loop stops
// once (m - 1) t_max plus the unbounded sum cannot beat the best pipeline found.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pase/stages/pipeline_plan.hpp"

namespace pase {

// One stage's price on `devices` devices for micro-batches of the step's batch / m.
struct StageCost {
  double microbatch_time_s = 0;          // forward, backward and the send to the next stage of one micro-batch
  double crossing_time_s = -1;           // microbatch_time_s when that send crosses nodes (< 0: the same)
  double static_bytes_per_device = 0;    // held whatever the schedule: weights, gradients, optimizer state, buffers
  double activation_bytes_per_microbatch = 0;  // per device: one micro-batch's activations kept for backward
  bool runs = true;  // false: the stage cannot run on these devices at all (no configuration)
};

// Layers first..last (inclusive, 0-based in the chain) on `devices` devices with `microbatches`
// micro-batches a step, run with stage strategy `strategy` (0 .. StageSearchInput::strategies - 1:
// alternative ways to run a stage's layers, such as the plain search's and a memory-lean one).
using StageCostFunction = std::function<StageCost(int first, int last, int devices, long microbatches, int strategy)>;

struct StageSearchInput {
  int layers = 0;                  // L: the chain's length
  int devices = 0;                 // every stage's devices sum to this
  std::vector<int> stage_devices;  // the device counts a stage may have
  std::vector<long> microbatches;  // the candidate m
  int strategies = 1;              // the stage strategies every stage chooses among
  double capacity_bytes = 0;       // per device; 0: memory not checked
  // Per layer; equal strings: layers priced alike, so ranges with equal signature sequences share one
  // stage_cost call. Empty: every layer distinct.
  std::vector<std::string> signatures;
  // Whether a stage on devices first_device .. first_device + devices - 1 of the pipeline (the devices
  // before it are its earlier stages') sends to the next stage across nodes, so that its time is
  // crossing_time_s. Empty: never.
  std::function<bool(int first_device, int devices)> send_crosses_nodes;
};

struct StageSearchResult {
  std::optional<PipelinePlan> plan;  // the fastest that fits; empty when nothing fits
  std::vector<int> stage_strategies; // per stage of plan: its strategy
  std::string nothing_fits;          // why, when plan is empty
  std::uint64_t cost_evaluations = 0;  // stage_cost calls (distinct ranges by signature, devices, m)
  std::uint64_t cost_lookups = 0;      // stage prices the DP asked for
  std::uint64_t bounds_tried = 0;      // t_max values whose DP ran
};

// The device counts a stage may have: a node's devices split evenly (1, 2, 4, ... up to the node
// size, the divisors of it reached by doubling) and whole nodes (multiples of the node size), up to
// `devices`.
std::vector<int> stage_device_counts(int devices, int node_size);

// Throws std::invalid_argument naming the field when the input is inconsistent.
StageSearchResult search_stages(const StageSearchInput& input, const StageCostFunction& stage_cost);

// Per range (first * n + last, first <= last) of a chain whose layers have these signature ids: an
// id equal for ranges with equal signature sequences (others -1).
std::vector<int> range_ids(const std::vector<int>& signatures);

// A stage's microbatch_time_s, or its crossing_time_s when its send crosses nodes.
double stage_time_s(const StageCost& cost, bool send_crosses_nodes);

// The peak memory of stage `stage` of `plan`-shaped schedule: static + in-flight micro-batches' activations.
double stage_memory_bytes(const StageCost& cost, const PipelineSchedule& schedule, int stage);

}  // namespace pase
