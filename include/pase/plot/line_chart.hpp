#pragma once
// A line chart: one line per series with markers, optional min-max bars per point, axes with ticks,
// grid, title, axis labels, a legend and optional horizontal reference line.

#include <optional>
#include <string>
#include <vector>

#include "pase/plot/image.hpp"

namespace pase::plot {

struct ChartSeries {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> y_low, y_high;  // empty, or one per point: drawn as a bar from low to high
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log2_x = false;                   // x on a log scale with ticks at the data's x values
  std::optional<double> reference_y;     // a dashed horizontal line (e.g. 1 = data parallelism)
  std::string reference_label;
  std::vector<ChartSeries> series;
};

// Throws std::invalid_argument when there is nothing to draw.
Image render(const LineChart& chart, int width = 960, int height = 600);

}  // namespace pase::plot
