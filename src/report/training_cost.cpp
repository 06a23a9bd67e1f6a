#include "pase/report/training_cost.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

namespace pase {

namespace {

// A finite number followed by one of `units` (name, factor); an empty unit name allows none.
double parse_with_unit(const std::string& option, const std::string& text,
                       const std::vector<std::pair<std::string, double>>& units, const std::string& example) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  const std::string unit(end);
  const bool hex = text.find_first_of("xX") != std::string::npos;
  if (end != begin && !hex && std::isfinite(value) && value > 0)
    for (const auto& [name, factor] : units)
      if (unit == name) return value * factor;
  throw std::invalid_argument(option + " '" + text + "': write a positive number" + example);
}

}  // namespace

std::string TrainingAmount::describe() const {
  char text[64];
  std::snprintf(text, sizeof text, "%.4g", value);
  return std::string(text) + (unit == Unit::tokens ? " tokens" : unit == Unit::samples ? " samples" : " steps");
}

double parse_count(const std::string& option, const std::string& text) {
  return parse_with_unit(option, text, {{"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"B", 1e9}, {"T", 1e12}},
                         ", optionally with k, M, G or B (1e9) or T, e.g. 300B or 3e11");
}

double parse_duration(const std::string& option, const std::string& text) {
  return parse_with_unit(option, text, {{"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}},
                         " with a unit s, min, h, d or w, e.g. 14d");
}

double training_steps(const TrainingAmount& amount, std::int64_t batch, std::int64_t seq) {
  switch (amount.unit) {
    case TrainingAmount::Unit::none: throw std::invalid_argument("no training amount: give --tokens, --samples or --steps");
    case TrainingAmount::Unit::steps: return std::ceil(amount.value);
    case TrainingAmount::Unit::samples:
      if (batch <= 0) throw std::invalid_argument("--samples: the model has no 'batch' parameter; give --steps");
      return std::ceil(amount.value / static_cast<double>(batch));
    case TrainingAmount::Unit::tokens:
      if (batch <= 0 || seq <= 0)
        throw std::invalid_argument(std::string("--tokens: the model has no '") + (batch <= 0 ? "batch" : "seq") +
                                    "' parameter (tokens per step = batch x seq); give --samples or --steps");
      return std::ceil(amount.value / (static_cast<double>(batch) * static_cast<double>(seq)));
  }
  return 0;
}

void DevicePrices::add(const std::string& text) {
  const auto eq = text.find('=');
  const std::string name = eq == std::string::npos ? "" : text.substr(0, eq);
  const std::string number = eq == std::string::npos ? text : text.substr(eq + 1);
  const double price = parse_with_unit("--price-per-device-hour", number, {{"", 1}},
                                       " (the price of one device for one hour), or CLUSTER=PRICE, e.g. dgx-h100=4.5");
  if (eq == std::string::npos) all = price;
  else if (name.empty())
    throw std::invalid_argument("--price-per-device-hour '" + text + "': name the cluster before '=', e.g. dgx-h100=4.5");
  else by_cluster[name] = price;
}

std::optional<double> DevicePrices::of(const std::string& cluster) const {
  if (const auto it = by_cluster.find(cluster); it != by_cluster.end()) return it->second;
  return all;
}

TrainingCost training_cost(double steps, double step_time_s, std::int64_t devices, std::optional<double> price) {
  TrainingCost c;
  c.steps = steps;
  c.seconds = steps * step_time_s;
  c.device_hours = c.seconds / 3600.0 * static_cast<double>(devices);
  c.cost = price ? c.device_hours * *price : std::numeric_limits<double>::quiet_NaN();
  return c;
}

std::string duration_text(double seconds) {
  char text[64];
  if (seconds >= 2 * 86400) std::snprintf(text, sizeof text, "%.3g days", seconds / 86400);
  else if (seconds >= 2 * 3600) std::snprintf(text, sizeof text, "%.3g h", seconds / 3600);
  else if (seconds >= 120) std::snprintf(text, sizeof text, "%.3g min", seconds / 60);
  else std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

}  // namespace pase
