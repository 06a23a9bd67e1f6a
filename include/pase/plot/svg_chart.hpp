#pragma once
// Charts written as SVG text (vector, text as text, no scripts, no fonts to fetch): a line chart and a
// horizontal stacked bar chart. Legends sit below the plot and grow the picture, so they are never
// cut; series that would hide each other are drawn a few pixels apart and named in a note.

#include <optional>
#include <string>
#include <vector>

namespace pase::plot {

struct ChartSeries {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> y_low, y_high;  // empty, or one per point: drawn as a bar from low to high
  int color = -1;                     // palette index; -1: the series' position
  bool dashed = false;
};

struct LineChart {
  std::string title;
  std::string x_label;  // with its unit
  std::string y_label;  // with its unit
  bool log2_x = false;  // x on a log scale with ticks at the data's x values
  bool log10_y = false;  // y on a log scale (all values must be positive)
  std::optional<double> reference_y;  // a dashed horizontal line (e.g. 1 = data parallelism)
  std::string reference_label;
  std::string note;  // printed under the legend
  std::vector<ChartSeries> series;
};

// Bars side by side, each split into named segments (e.g. compute, exposed communication).
struct BarChart {
  std::string title;
  std::string value_label;  // the value axis, with its unit
  std::vector<std::string> bars;      // one label per bar, top to bottom
  std::vector<std::string> segments;  // one name per segment
  std::vector<std::vector<double>> values;  // [bar][segment], non-negative
  std::optional<double> limit;  // a vertical line across all bars (e.g. device memory)
  std::string limit_label;
  std::string note;
};

// Throws std::invalid_argument when there is nothing to draw or a value cannot be drawn.
std::string svg(const LineChart& chart, int width = 860);
std::string svg(const BarChart& chart, int width = 860);

// Text as SVG/HTML character data or attribute value: & < > " ' escaped.
std::string escape_xml(const std::string& text);
// A number for people: 3 significant digits, no "-0", integers as integers.
std::string short_number(double v);
// Writes `text` to `path`; throws std::runtime_error naming the file when it cannot.
void write_svg_file(const std::string& path, const std::string& text);

}  // namespace pase::plot
