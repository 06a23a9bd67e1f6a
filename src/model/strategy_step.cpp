#include "pase/model/strategy_step.hpp"

#include <stdexcept>

namespace pase {

StepBreakdown hardware_step(const ModelProblem& model, const std::vector<int>& chosen) {
  if (model.times.size() != chosen.size())
    throw std::logic_error("hardware_step: needs a problem built with the hardware model, one configuration a layer");
  std::vector<LayerTime> layers;
  for (std::size_t v = 0; v < chosen.size(); ++v) layers.push_back(model.times[v][chosen[v]]);
  double relayout_s = 0;
  const Problem& problem = model.problem;
  for (const auto& e : problem.edges) relayout_s += e.cost(chosen[e.from], chosen[e.to], problem.config_count(e.to));
  return overlapped_step(layers, relayout_s);
}

}  // namespace pase
