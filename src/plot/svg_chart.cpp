#include "pase/plot/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <stdexcept>

namespace pase::plot {

namespace {

// Colour-blind-safe (Okabe and Ito, "Color Universal Design", 2008), then greys.
const char* const palette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
                               "#56B4E9", "#000000", "#F0E442", "#999999", "#7F3C8D"};
constexpr int palette_size = static_cast<int>(std::size(palette));
constexpr double font = 13, title_font = 15;
constexpr double char_width = 0.62 * font;  // wider than the average glyph of any sans-serif face

double text_width(const std::string& s, double size = font) { return static_cast<double>(s.size()) * 0.62 * size; }

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

std::string text(double x, double y, const std::string& s, const std::string& extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + (extra.empty() ? "" : " " + extra) + ">" + escape_xml(s) +
         "</text>\n";
}

std::string line(double x0, double y0, double x1, double y1, const std::string& style) {
  return "<line x1=\"" + num(x0) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(x1) + "\" y2=\"" + num(y1) + "\" " + style +
         "/>\n";
}

// A hollow marker of shape `k` (circle, square, triangle, diamond, inverted triangle, plus), so that
// markers drawn on top of each other stay visible.
std::string marker(int k, double x, double y, const std::string& color) {
  const std::string style = " fill=\"white\" stroke=\"" + color + "\" stroke-width=\"2\"";
  const double r = 4.5;
  auto polygon = [&](std::vector<std::pair<double, double>> p) {
    std::string s = "<polygon points=\"";
    for (const auto& [dx, dy] : p) s += num(x + dx) + "," + num(y + dy) + " ";
    return s + "\"" + style + "/>\n";
  };
  switch (k % 6) {
    case 0: return "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" + num(r) + "\"" + style + "/>\n";
    case 1: return polygon({{-r, -r}, {r, -r}, {r, r}, {-r, r}});
    case 2: return polygon({{0, -r - 1}, {r + 1, r}, {-r - 1, r}});
    case 3: return polygon({{0, -r - 1}, {r + 1, 0}, {0, r + 1}, {-r - 1, 0}});
    case 4: return polygon({{0, r + 1}, {r + 1, -r}, {-r - 1, -r}});
    default:
      return line(x - r - 1, y, x + r + 1, y, "stroke=\"" + color + "\" stroke-width=\"2.5\"") +
             line(x, y - r - 1, x, y + r + 1, "stroke=\"" + color + "\" stroke-width=\"2.5\"");
  }
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

// Lines of at most `width` pixels of text.
std::vector<std::string> wrap(const std::string& s, double width) {
  const auto per_line = static_cast<std::size_t>(std::max(20.0, width / char_width));
  std::vector<std::string> lines;
  std::string current;
  std::size_t at = 0;
  while (at < s.size()) {
    const std::size_t space = s.find(' ', at);
    const std::string word = s.substr(at, space == std::string::npos ? std::string::npos : space - at);
    at = space == std::string::npos ? s.size() : space + 1;
    if (!current.empty() && current.size() + 1 + word.size() > per_line) {
      lines.push_back(current);
      current.clear();
    }
    current += (current.empty() ? "" : " ") + word;
  }
  if (!current.empty()) lines.push_back(current);
  return lines;
}

struct LegendEntry {
  std::string name;
  std::string color;
  int marker = -1;  // -1: a filled box (bar segments)
  bool dashed = false;
};

// The legend in rows that fit `width`, from `top`; returns the height used.
double legend(std::string& out, const std::vector<LegendEntry>& entries, double left, double width, double top) {
  double x = left, y = top + 14;
  for (const auto& e : entries) {
    const double w = 44 + text_width(e.name) + 22;
    if (x > left && x + w > left + width) x = left, y += 22;
    if (e.marker < 0) {
      out += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 10) + "\" width=\"28\" height=\"12\" fill=\"" + e.color + "\"/>\n";
    } else {
      out += line(x, y - 4, x + 32, y - 4,
                  "stroke=\"" + e.color + "\" stroke-width=\"2.5\"" + (e.dashed ? " stroke-dasharray=\"7 4\"" : ""));
      out += marker(e.marker, x + 16, y - 4, e.color);
    }
    out += text(x + 40, y, e.name);
    x += w;
  }
  return y - top + 10;
}

double note(std::string& out, const std::string& s, double left, double width, double top) {
  if (s.empty()) return 0;
  double y = top;
  for (const auto& l : wrap(s, width)) out += text(left, y += 17, l, "fill=\"#444\"");
  return y - top + 6;
}

std::string open_svg(double width, double height, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" font-family=\"sans-serif\" font-size=\"" +
         num(font) + "\" role=\"img\" aria-label=\"" + escape_xml(title) + "\">\n<title>" + escape_xml(title) +
         "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
}

}  // namespace

std::string escape_xml(const std::string& s) {
  std::string out;
  for (const char c : s) switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  return out;
}

std::string short_number(double v) {
  if (std::fabs(v) < 1e-12) v = 0;  // no "-0"
  char text[32];
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e9) std::snprintf(text, sizeof text, "%.0f", v);
  else std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

std::string svg(const LineChart& chart, int width) {
  std::set<double> xs;
  double y_min = INFINITY, y_max = -INFINITY;
  for (const auto& s : chart.series) {
    if (s.y.size() != s.x.size() || (!s.y_low.empty() && (s.y_low.size() != s.x.size() || s.y_high.size() != s.x.size())))
      throw std::invalid_argument("chart '" + chart.title + "': series '" + s.name + "' has unequal x and y lists");
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const double lo = s.y_low.empty() ? s.y[i] : s.y_low[i], hi = s.y_high.empty() ? s.y[i] : s.y_high[i];
      if (!std::isfinite(s.x[i]) || !std::isfinite(lo) || !std::isfinite(hi))
        throw std::invalid_argument("chart '" + chart.title + "': series '" + s.name + "' has a value that is not finite");
      if ((chart.log2_x && s.x[i] <= 0) || (chart.log10_y && lo <= 0))
        throw std::invalid_argument("chart '" + chart.title + "': a log-scale value must be positive");
      xs.insert(s.x[i]);
      y_min = std::min(y_min, lo);
      y_max = std::max(y_max, hi);
    }
  }
  if (xs.empty()) throw std::invalid_argument("chart '" + chart.title + "': no points to draw");
  if (chart.reference_y) y_min = std::min(y_min, *chart.reference_y), y_max = std::max(y_max, *chart.reference_y);

  std::vector<double> y_ticks;
  double y_lo = 0, y_hi = 1;
  if (chart.log10_y) {
    y_lo = std::floor(std::log10(y_min));
    y_hi = std::max(y_lo + 1, std::ceil(std::log10(y_max)));
    const bool dense = y_hi - y_lo <= 3;
    for (double e = y_lo; e <= y_hi; ++e)
      for (const double m : dense ? std::vector<double>{1, 2, 5} : std::vector<double>{1})
        if (e + std::log10(m) <= y_hi + 1e-9) y_ticks.push_back(m * std::pow(10.0, e));
  } else {
    y_lo = std::min(0.0, y_min);
    y_hi = y_max <= y_lo ? y_lo + 1 : y_max * 1.08;
    y_ticks = nice_ticks(y_lo, y_hi, 6);
  }
  double tick_width = 0;
  for (const double t : y_ticks) tick_width = std::max(tick_width, text_width(short_number(t)));
  const double left = 36 + tick_width, right = width - 24, top = 44, plot_height = 300, bottom = top + plot_height;

  const double x_lo = chart.log2_x ? std::log2(*xs.begin()) : *xs.begin();
  const double x_hi = chart.log2_x ? std::log2(*xs.rbegin()) : *xs.rbegin();
  auto fx = [&](double x) {
    const double v = chart.log2_x ? std::log2(x) : x;
    const double pad = 0.05 * (right - left);
    return x_hi > x_lo ? left + pad + (v - x_lo) / (x_hi - x_lo) * (right - left - 2 * pad) : (left + right) / 2.0;
  };
  auto fy = [&](double y) {
    const double v = chart.log10_y ? std::log10(y) : y;
    return bottom - (v - y_lo) / (y_hi - y_lo) * plot_height;
  };

  std::string body;
  for (const double t : y_ticks) {
    const double y = fy(t);
    body += line(left, y, right, y, "stroke=\"#e3e3e3\"");
    body += text(left - 8, y + 4, short_number(t), "text-anchor=\"end\"");
  }
  std::vector<double> x_ticks;
  if (chart.log2_x || xs.size() <= 12) x_ticks.assign(xs.begin(), xs.end());
  else x_ticks = nice_ticks(*xs.begin(), *xs.rbegin(), 8);
  double last_end = -1e9;
  for (const double t : x_ticks) {
    const double x = fx(t);
    body += line(x, top, x, bottom, "stroke=\"#eeeeee\"") + line(x, bottom, x, bottom + 5, "stroke=\"black\"");
    const std::string label = short_number(t);
    if (x - text_width(label) / 2 > last_end + 6) {
      body += text(x, bottom + 20, label, "text-anchor=\"middle\"");
      last_end = x + text_width(label) / 2;
    }
  }
  body += line(left, top, left, bottom, "stroke=\"black\"") + line(left, bottom, right, bottom, "stroke=\"black\"");
  if (chart.reference_y) {
    const double y = fy(*chart.reference_y);
    body += line(left, y, right, y, "stroke=\"#666\" stroke-dasharray=\"5 5\"");
    if (!chart.reference_label.empty()) body += text(right - 4, y - 6, chart.reference_label, "text-anchor=\"end\" fill=\"#444\"");
  }

  // Series that lie on an earlier one (within 2 px at every point) are moved a few pixels down and named.
  std::vector<int> shift(chart.series.size(), 0);
  std::string coincide;
  for (std::size_t k = 0; k < chart.series.size(); ++k)
    for (std::size_t j = 0; j < k; ++j) {
      const auto& a = chart.series[j];
      const auto& b = chart.series[k];
      bool same = a.x == b.x && !a.x.empty();
      for (std::size_t i = 0; same && i < a.x.size(); ++i) same = std::fabs(fy(a.y[i]) - fy(b.y[i])) < 2;
      if (same) {
        shift[k] = shift[j] + 1;
        coincide += (coincide.empty() ? "" : "; ") + ("\u201c" + b.name + "\u201d lies on \u201c" + a.name + "\u201d");
      }
    }
  std::vector<LegendEntry> entries;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const auto& s = chart.series[k];
    const int index = s.color >= 0 ? s.color : static_cast<int>(k);
    const std::string color = palette[index % palette_size];
    const double dy = 3.0 * shift[k];
    const double dodge = (static_cast<double>(k) - (static_cast<double>(chart.series.size()) - 1) / 2.0) * 5.0;
    if (!s.y_low.empty())
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        const double x = fx(s.x[i]) + dodge;
        body += line(x, fy(s.y_low[i]) + dy, x, fy(s.y_high[i]) + dy,
                     "stroke=\"" + std::string(color) + "\" stroke-opacity=\"0.45\" stroke-width=\"3\"");
      }
    std::string points;
    for (std::size_t i = 0; i < s.x.size(); ++i) points += num(fx(s.x[i])) + "," + num(fy(s.y[i]) + dy) + " ";
    body += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2.5\"" +
            (s.dashed ? " stroke-dasharray=\"7 4\"" : "") + " points=\"" + points + "\"/>\n";
    for (std::size_t i = 0; i < s.x.size(); ++i) body += marker(static_cast<int>(k), fx(s.x[i]), fy(s.y[i]) + dy, color);
    entries.push_back({s.name, color, static_cast<int>(k), s.dashed});
  }

  std::string tail;
  double y = bottom + 44;
  tail += text((left + right) / 2, bottom + 40, chart.x_label, "text-anchor=\"middle\"");
  y += 8;
  y += legend(tail, entries, left, right - left, y);
  std::string all_notes = chart.note;
  if (!coincide.empty())
    all_notes += (all_notes.empty() ? "" : " ") + std::string("Coinciding lines, drawn 3 px apart: ") + coincide + ".";
  y += note(tail, all_notes, left, right - left, y);
  const double height = y + 12;

  std::string out = open_svg(width, height, chart.title);
  out += text(width / 2.0, 24, chart.title, "text-anchor=\"middle\" font-size=\"" + num(title_font) + "\" font-weight=\"bold\"");
  out += text(16, (top + bottom) / 2, chart.y_label,
              "text-anchor=\"middle\" transform=\"rotate(-90 16 " + num((top + bottom) / 2) + ")\"");
  return out + body + tail + "</svg>\n";
}

std::string svg(const BarChart& chart, int width) {
  if (chart.bars.empty() || chart.values.size() != chart.bars.size())
    throw std::invalid_argument("chart '" + chart.title + "': no bars to draw");
  double max_total = chart.limit.value_or(0);
  std::vector<double> totals;
  for (const auto& bar : chart.values) {
    if (bar.size() != chart.segments.size())
      throw std::invalid_argument("chart '" + chart.title + "': a bar has " + std::to_string(bar.size()) +
                                  " segments, not " + std::to_string(chart.segments.size()));
    double total = 0;
    for (const double v : bar) {
      if (!std::isfinite(v) || v < 0)
        throw std::invalid_argument("chart '" + chart.title + "': a bar segment is negative or not finite");
      total += v;
    }
    totals.push_back(total);
    max_total = std::max(max_total, total);
  }
  if (max_total <= 0) max_total = 1;
  double label_width = 0;
  for (const auto& b : chart.bars) label_width = std::max(label_width, text_width(b));
  const double left = 20 + label_width, right = width - 24 - text_width("0.000e+00");
  const double top = 44, bar_height = 26, gap = 14;
  const double bottom = top + static_cast<double>(chart.bars.size()) * (bar_height + gap) + gap;
  const double hi = max_total * 1.08;
  auto fx = [&](double v) { return left + v / hi * (right - left); };

  std::string body;
  for (const double t : nice_ticks(0, hi, 6)) {
    body += line(fx(t), top, fx(t), bottom, "stroke=\"#e3e3e3\"");
    body += text(fx(t), bottom + 18, short_number(t), "text-anchor=\"middle\"");
  }
  for (std::size_t b = 0; b < chart.bars.size(); ++b) {
    const double y = top + gap + static_cast<double>(b) * (bar_height + gap);
    body += text(left - 8, y + bar_height / 2 + 4, chart.bars[b], "text-anchor=\"end\"");
    double at = 0;
    for (std::size_t s = 0; s < chart.segments.size(); ++s) {
      const double v = chart.values[b][s];
      body += "<rect x=\"" + num(fx(at)) + "\" y=\"" + num(y) + "\" width=\"" + num(fx(at + v) - fx(at)) +
              "\" height=\"" + num(bar_height) + "\" fill=\"" + palette[s % palette_size] + "\"><title>" +
              escape_xml(chart.bars[b] + ", " + chart.segments[s] + ": " + short_number(v)) + "</title></rect>\n";
      at += v;
    }
    body += text(fx(at) + 6, y + bar_height / 2 + 4, short_number(totals[b]));
  }
  body += line(left, top, left, bottom, "stroke=\"black\"") + line(left, bottom, right, bottom, "stroke=\"black\"");
  if (chart.limit) {
    body += line(fx(*chart.limit), top - 6, fx(*chart.limit), bottom, "stroke=\"#C00000\" stroke-width=\"2\" stroke-dasharray=\"6 4\"");
    body += text(fx(*chart.limit), top - 10, chart.limit_label, "text-anchor=\"middle\" fill=\"#C00000\"");
  }
  std::string tail;
  tail += text((left + right) / 2, bottom + 38, chart.value_label, "text-anchor=\"middle\"");
  std::vector<LegendEntry> entries;
  for (std::size_t s = 0; s < chart.segments.size(); ++s) entries.push_back({chart.segments[s], palette[s % palette_size]});
  double y = bottom + 50;
  y += legend(tail, entries, 20, width - 44, y);
  y += note(tail, chart.note, 20, width - 44, y);
  std::string out = open_svg(width, y + 12, chart.title);
  out += text(width / 2.0, 24, chart.title, "text-anchor=\"middle\" font-size=\"" + num(title_font) + "\" font-weight=\"bold\"");
  return out + body + tail + "</svg>\n";
}

void write_svg_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write the picture (does its folder exist?)");
  out << text;
  out.close();
  if (!out) throw std::runtime_error(path + ": writing the picture failed");
}

}  // namespace pase::plot
