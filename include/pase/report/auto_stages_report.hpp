#pragma once
// The report of the stage search (`pase search --stages auto`, and a sweep point with search.stages:
// auto): its pipeline as `pase evaluate` reports a pipeline (pipeline_report.hpp), with the
// baselines a search compares with (device_memory.hpp's Baseline):
//   - data_parallel: every device a replica of the whole model, one micro-batch of its share of the
//     batch: the pipeline step model's tp=1,pp=1,dp=d on the d devices, d the most of them whose
//     count divides the batch (as the plain search's data parallelism, the rest idle);
//   - megatron: the Megatron-LM rule of thumb (megatron.hpp), for transformers.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pase/report/device_memory.hpp"
#include "pase/report/pipeline_report.hpp"
#include "pase/stages/auto_stages.hpp"

namespace pase {

struct AutoStagesReport {
  AutoStagesResult found;
  EvaluationReport evaluation;       // of found.plan; empty when nothing fits
  std::string description;           // the pipeline's shape and the search's counts ("8 stage(s) of ...")
  std::int64_t microbatch_size = 0;  // samples a micro-batch
  std::optional<Baseline> data_parallel;
  std::int64_t data_parallel_devices = 0;
  std::optional<Baseline> megatron;  // transformers only
  // Data parallelism's step time over the pipeline's (NaN without it; it may not fit the memory).
  double speedup_over_data_parallel() const;
  // The fastest baseline that fits memory (data parallelism or Megatron-LM's rule), if any.
  const Baseline* best_baseline() const;
};

// Runs the stage search on `settings` (hardware model required: std::invalid_argument otherwise) and
// reports it. found.plan is empty (and found.nothing_fits says why) when no pipeline fits.
AutoStagesReport auto_stages_report(const SearchSettings& settings);

// The report as `pase search --stages auto --output` writes it: evaluation_json's keys, the
// pipeline's stage_devices, stage_search, each stage's strategy and bubble_s (the part of
// step_breakdown.compute_s the slowest stage idles while the pipeline fills and drains), and as a
// plain search's JSON data_parallel, baselines[], speedup_over_data_parallel and
// speedup_over_best_baseline.
std::string auto_stages_json(const AutoStagesReport& report);

// Of plan.breakdown.compute_s, the time the slowest stage's kernels wait while the pipeline fills
// and drains: the schedule's time of the stages' kernels less m times the slowest's. For S equal
// stages, bubble_fraction times the ideal m * t.
double bubble_seconds(const PipelinePlan& plan);

}  // namespace pase
