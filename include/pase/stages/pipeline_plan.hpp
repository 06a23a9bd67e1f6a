#pragma once
// A pipeline-parallel strategy as pase reports it (issue 17): the layers cut into stages, each on
// its own devices, run with a 1F1B schedule, the whole pipeline replicated for data parallelism.

#include <vector>

#include "pase/stages/pipeline_schedule.hpp"

namespace pase {

struct StagePlan {
  int first_layer = 0;             // in the network's topological order, inclusive
  int last_layer = 0;              // inclusive
  int devices = 1;                 // devices of one replica of this stage
  double microbatch_time_s = 0;    // forward and backward of one micro-batch, and its send to the next stage
  double memory_bytes_per_device = 0;  // at the peak of the step, in-flight micro-batches included
};

struct PipelinePlan {
  PipelineSchedule schedule;
  int data_parallel = 1;           // replicas of the whole pipeline
  std::vector<StagePlan> stages;
  double pipeline_time_s = 0;      // pipeline_time_s() of the stages' times
  double exposed_gradient_sync_s = 0;  // the data-parallel gradient synchronisation the step waits for
  double step_time_s() const { return pipeline_time_s + exposed_gradient_sync_s; }
};

}  // namespace pase
