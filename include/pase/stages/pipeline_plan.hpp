#pragma once
// A pipeline-parallel strategy as pase reports it (issue 17): the layers cut into stages, each on
// its own devices, run with a 1F1B schedule, the whole pipeline replicated for data parallelism.

#include <utility>
#include <vector>

#include "pase/cost/step_time.hpp"
#include "pase/model/model_memory.hpp"
#include "pase/stages/pipeline_schedule.hpp"

namespace pase {

// Layers first..last (inclusive) of the network's topological order.
struct LayerRange {
  int first = 0;
  int last = 0;
  bool operator==(const LayerRange&) const = default;
};

struct StagePlan {
  int first_layer = 0;             // in the network's topological order, inclusive
  int last_layer = 0;              // inclusive
  int devices = 1;                 // devices of one replica of this stage
  double microbatch_time_s = 0;    // forward and backward of one micro-batch, and its send to the next stage
  double memory_bytes_per_device = 0;  // at the peak of the step, in-flight micro-batches included
  // The parts of microbatch_time_s and memory_bytes_per_device (pase/stages/pipeline_step.hpp).
  std::vector<LayerRange> chunks;  // the layer ranges its devices run: one, or v with interleaving
  double compute_s = 0;            // a micro-batch's kernels, recomputation included
  double backward_s = 0;           // of compute_s, the backward kernels
  double recompute_s = 0;          // of compute_s and communication_s, what re-running forward passes adds
  double communication_s = 0;      // a micro-batch's blocking collectives and re-layouts inside the stage
  double send_s = 0;               // its activations to the next stage and their gradients back
  bool send_crosses_nodes = false;
  double gradient_sync_s = 0;      // once a step: weight gradients inside the stage and across replicas
  double exposed_gradient_sync_s = 0;  // of it, what runs past the stage's last backward pass
  double in_flight_microbatches = 1;
  MemoryBreakdown memory;          // per device at the step's peak
};

struct PipelinePlan {
  PipelineSchedule schedule;
  int data_parallel = 1;           // replicas of the whole pipeline
  std::vector<StagePlan> stages;
  double pipeline_time_s = 0;      // pipeline_time_s() of the stages' times
  double exposed_gradient_sync_s = 0;  // the data-parallel gradient synchronisation the step waits for
  double step_time_s() const { return pipeline_time_s + exposed_gradient_sync_s; }
  // step_time_s() split as the search reports a step: compute_s is the pipeline's time had every
  // stage only its kernels (its bubble included), the rest is exposed communication.
  StepBreakdown breakdown;
  double bubble_fraction = 0;
  // The largest peak over the stages' devices.
  MemoryBreakdown peak_memory() const;
  int devices() const;             // every replica of every stage
};

}  // namespace pase
