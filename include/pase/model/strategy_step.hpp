#pragma once
// A given strategy (one configuration per layer) priced as a training step on the hardware model:
// the same evaluation the search report applies to the found strategy and to data parallelism.

#include <vector>

#include "pase/cost/step_time.hpp"
#include "pase/model/model_problem.hpp"

namespace pase {

// `chosen[v]` indexes model.configs[v]; model must be built with the hardware model (model.times).
// The layers' times with the weight-gradient all-reduces behind the backward pass, plus the
// re-layouts of the edges between the chosen configurations (src/cluster/README.md, "Step time").
StepBreakdown hardware_step(const ModelProblem& model, const std::vector<int>& chosen);

}  // namespace pase
