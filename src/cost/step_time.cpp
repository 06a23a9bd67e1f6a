#include "pase/cost/step_time.hpp"

#include <algorithm>

namespace pase {

StepBreakdown overlapped_step(const std::vector<LayerTime>& layers, double relayout_s) {
  StepBreakdown step;
  double blocking = relayout_s, backward_end = 0, network_free = 0;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    step.compute_s += it->compute_s;
    blocking += it->communication_s;
    backward_end += it->backward_s;
    if (it->gradient_s > 0) network_free = std::max(network_free, backward_end) + it->gradient_s;
    step.communication_s += it->communication_s + it->gradient_s;
  }
  step.communication_s += relayout_s;
  step.exposed_communication_s = blocking + std::max(0.0, network_free - backward_end);
  return step;
}

}  // namespace pase
