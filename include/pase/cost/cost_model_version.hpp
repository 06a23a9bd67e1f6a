#pragma once
// The version of the cost model's formulas. Raise it whenever a change to src/cost gives any
// configuration, layer or edge a different cost: checkpoints record it, and a resume refuses a
// checkpoint whose DP tables were computed with other costs.

namespace pase {

inline constexpr int cost_model_version = 1;

}  // namespace pase
