#include "pase/stages/pipeline_schedule.hpp"

#include <algorithm>
#include <numeric>

namespace pase {

std::string schedule_error(const PipelineSchedule& schedule) {
  if (schedule.stages < 1) return "the number of pipeline stages must be at least 1";
  if (schedule.microbatches < 1) return "the number of micro-batches must be at least 1";
  if (schedule.interleave < 1) return "the number of model chunks a device (interleave) must be at least 1";
  if (schedule.interleave > 1 && schedule.stages < 2) return "interleaving needs at least 2 pipeline stages";
  if (schedule.interleave > 1 && schedule.microbatches % schedule.stages != 0)
    return "interleaving needs the micro-batches (" + std::to_string(schedule.microbatches) +
           ") to be a multiple of the pipeline stages (" + std::to_string(schedule.stages) + ")";
  return "";
}

double bubble_fraction(const PipelineSchedule& schedule) {
  return static_cast<double>(schedule.stages - 1) /
         (static_cast<double>(schedule.interleave) * static_cast<double>(schedule.microbatches));
}

double pipeline_time_s(const std::vector<double>& stage_microbatch_s, const PipelineSchedule& schedule) {
  if (stage_microbatch_s.empty()) return 0;
  const double v = schedule.interleave;
  const double sum = std::accumulate(stage_microbatch_s.begin(), stage_microbatch_s.end(), 0.0);
  const double slowest = *std::max_element(stage_microbatch_s.begin(), stage_microbatch_s.end());
  return sum / v + (static_cast<double>(schedule.microbatches) - 1 / v) * slowest;
}

double in_flight_microbatches(const PipelineSchedule& schedule, int stage) {
  const long s = schedule.stages, m = schedule.microbatches, v = schedule.interleave;
  if (v == 1) return static_cast<double>(std::min(m, s - stage));
  const long chunks = 2 * (s - stage - 1) + (v - 1) * s + 1;
  return static_cast<double>(std::min(chunks, m * v)) / static_cast<double>(v);
}

}  // namespace pase
