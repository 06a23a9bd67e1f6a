#pragma once
// The report's charts as SVG: speedup against the device count (one line per model, cluster and
// varying parameter; never a median across them), the step time split into compute and exposed
// communication, per-device memory against capacity (when the search gave it), and time to train and
// cost against the device count.

#include <string>
#include <vector>

#include "pase/decision/decision.hpp"

namespace pase::decision {

struct Figure {
  std::string id;       // "speedup", "step-time", "memory", "time-to-train", "cost"
  std::string caption;  // what it shows and how to read it
  std::string svg;
};

std::vector<Figure> decision_charts(const DecisionInput& input, const DecisionOptions& options, const Decision& d);

}  // namespace pase::decision
