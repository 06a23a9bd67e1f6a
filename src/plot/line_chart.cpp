#include "pase/plot/line_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace pase::plot {

namespace {

const Color palette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                         {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
constexpr Color black{0, 0, 0}, grid{225, 225, 225}, grey{110, 110, 110};

Color lighter(Color c) {
  auto mix = [](std::uint8_t v) { return static_cast<std::uint8_t>((v + 2 * 255) / 3); };
  return {mix(c.r), mix(c.g), mix(c.b)};
}

std::string label(double v) {
  if (std::fabs(v) < 1e-12) v = 0;  // no "-0"
  char text[32];
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e9) std::snprintf(text, sizeof text, "%.0f", v);
  else std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

// About `target` round tick values (1, 2 or 5 times a power of ten apart) covering [low, high].
std::vector<double> nice_ticks(double low, double high, int target) {
  const double raw = (high - low) / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(low / step - 1e-9) * step; t <= high + 1e-9 * step; t += step) ticks.push_back(t);
  return ticks;
}

}  // namespace

Image render(const LineChart& chart, int width, int height) {
  double x_min = INFINITY, x_max = -INFINITY, y_max = -INFINITY;
  std::set<double> xs;
  for (const auto& s : chart.series) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (chart.log2_x && s.x[i] <= 0) throw std::invalid_argument("a log-scale x value must be positive");
      x_min = std::min(x_min, s.x[i]);
      x_max = std::max(x_max, s.x[i]);
      xs.insert(s.x[i]);
      y_max = std::max(y_max, s.y_high.empty() ? s.y[i] : s.y_high[i]);
    }
  }
  if (xs.empty()) throw std::invalid_argument("the chart has no points to draw");
  if (chart.reference_y) y_max = std::max(y_max, *chart.reference_y);
  const double y_min = 0;
  y_max = y_max <= 0 ? 1 : y_max * 1.08;

  Image image(width, height);
  int legend_width = 0;
  for (const auto& s : chart.series) legend_width = std::max(legend_width, Image::text_width(s.name, 2));
  legend_width = std::min(legend_width + 60, width / 3);
  const int left = 90, right = width - 30 - legend_width, top = 60, bottom = height - 75;

  auto fx = [&](double x) {
    const double lo = chart.log2_x ? std::log2(x_min) : x_min, hi = chart.log2_x ? std::log2(x_max) : x_max;
    const double v = chart.log2_x ? std::log2(x) : x;
    const double pad = 0.04 * (right - left);
    return hi > lo ? left + pad + (v - lo) / (hi - lo) * (right - left - 2 * pad) : (left + right) / 2.0;
  };
  auto fy = [&](double y) { return bottom - (y - y_min) / (y_max - y_min) * (bottom - top); };

  // Grid and ticks.
  const auto y_ticks = nice_ticks(y_min, y_max, 6);
  for (const double t : y_ticks) {
    const int y = static_cast<int>(std::lround(fy(t)));
    image.line(left, y, right, y, grid);
    image.line(left - 6, y, left, y, black);
    const std::string text = label(t);
    image.text(left - 10 - Image::text_width(text, 2), y - 7, text, black, 2);
  }
  std::vector<double> x_ticks;
  if (chart.log2_x || xs.size() <= 12) x_ticks.assign(xs.begin(), xs.end());
  else x_ticks = nice_ticks(x_min, x_max, 8);
  int last_label_end = -1000;
  for (const double t : x_ticks) {
    const int x = static_cast<int>(std::lround(fx(t)));
    image.line(x, top, x, bottom, grid);
    image.line(x, bottom, x, bottom + 6, black);
    const std::string text = label(t);
    const int w = Image::text_width(text, 2);
    if (x - w / 2 > last_label_end + 6) {
      image.text(x - w / 2, bottom + 12, text, black, 2);
      last_label_end = x + w / 2;
    }
  }
  image.line(left, top, left, bottom, black, 2);
  image.line(left, bottom, right, bottom, black, 2);

  if (chart.reference_y) {
    const double y = fy(*chart.reference_y);
    image.line(left, y, right, y, grey, 1, 6);
    if (!chart.reference_label.empty())
      image.text(right - Image::text_width(chart.reference_label, 1) - 4, static_cast<int>(y) - 12,
                 chart.reference_label, grey, 1);
  }

  // Series: min-max bars, lines, markers.
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const auto& s = chart.series[k];
    const Color c = palette[k % std::size(palette)];
    // Bars of different series side by side, so that none hides another.
    const double dodge = (static_cast<double>(k) - (static_cast<double>(chart.series.size()) - 1) / 2.0) * 6.0;
    if (!s.y_low.empty())
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        const double x = fx(s.x[i]) + dodge;
        image.line(x, fy(s.y_low[i]), x, fy(s.y_high[i]), lighter(c), 3);
        image.line(x - 5, fy(s.y_low[i]), x + 5, fy(s.y_low[i]), lighter(c), 1);
        image.line(x - 5, fy(s.y_high[i]), x + 5, fy(s.y_high[i]), lighter(c), 1);
      }
    for (std::size_t i = 1; i < s.x.size(); ++i) image.line(fx(s.x[i - 1]), fy(s.y[i - 1]), fx(s.x[i]), fy(s.y[i]), c, 3);
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const int x = static_cast<int>(std::lround(fx(s.x[i]))), y = static_cast<int>(std::lround(fy(s.y[i])));
      image.fill_rect(x - 4, y - 4, x + 4, y + 4, c);
    }
    // Legend entry.
    const int ly = top + 10 + static_cast<int>(k) * 26;
    image.fill_rect(right + 20, ly + 5, right + 44, ly + 8, c);
    image.text(right + 52, ly, s.name, black, 2);
  }

  image.text((left + right - Image::text_width(chart.title, 2)) / 2, 18, chart.title, black, 2);
  image.text((left + right - Image::text_width(chart.x_label, 2)) / 2, height - 32, chart.x_label, black, 2);
  image.text(18, (top + bottom + Image::text_width(chart.y_label, 2)) / 2, chart.y_label, black, 2, true);
  return image;
}

}  // namespace pase::plot
