#pragma once
// The decision report as one self-contained HTML page (inline CSS and SVG; no scripts, fonts or
// anything else fetched): the answer, time to train and cost, the charts, the per-layer strategy and
// the assumptions. Every number taken from or computed from the source carries data-key and
// data-value (the exact double) so that tests can check it against the file it came from.

#include <string>
#include <vector>

#include "pase/decision/decision_charts.hpp"

namespace pase::decision {

std::string html_page(const DecisionInput& input, const DecisionOptions& options, const Decision& d,
                      const std::vector<Figure>& figures);

}  // namespace pase::decision
