#pragma once
// The 1F1B pipeline schedule (Narayanan et al. 2021, "Efficient Large-Scale Language Model Training
// on GPU Clusters Using Megatron-LM", sec. 2.2) and its interleaved form with v model chunks a
// device: its step time from the stages' times, its bubble, and the activations each stage holds.

#include <string>
#include <vector>

namespace pase {

struct PipelineSchedule {
  int stages = 1;         // S: device groups the layers are cut into, in order
  long microbatches = 1;  // m: micro-batches a step runs through the pipeline
  int interleave = 1;     // v: model chunks a device holds (1: plain 1F1B)
};

// Empty when the schedule can run; else what to change. Interleaving needs m to be a multiple of S
// (Megatron-LM's requirement) and at least two stages.
std::string schedule_error(const PipelineSchedule& schedule);

// The idle share of the ideal time m * t for S equal stages: (S - 1) / (v * m).
double bubble_fraction(const PipelineSchedule& schedule);

// The pipeline's time for one step, given each stage's forward plus backward time for one
// micro-batch (its devices' kernels and the transfer to the next stage): every stage's time once
// while the pipeline fills and drains, plus the slowest stage's for the other micro-batches, with
// a device's chunks 1/v of its stage: sum(t) / v + (m - 1 / v) * max(t). For equal stages that is
// (m + (S - 1) / v) * t, the ideal m * t plus the bubble.
double pipeline_time_s(const std::vector<double>& stage_microbatch_s, const PipelineSchedule& schedule);

// How many micro-batches' activations of its layers stage `stage` (0-based) holds at the peak of a
// step. 1F1B: min(m, S - stage). Interleaved: Megatron-LM's warm-up of 2 (S - stage - 1) + (v - 1) S
// chunk micro-batches plus the one in flight, each 1/v of the stage: S + (S - 1) / v on the first
// stage, as Korthikanti et al. 2022 (sec. 4.2.3) state it.
double in_flight_microbatches(const PipelineSchedule& schedule, int stage);

}  // namespace pase
