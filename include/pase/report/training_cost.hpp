#pragma once
// Time to train and its cost at a step time: the steps a training run takes (from tokens, samples or
// steps), its wall-clock time, the device-hours it holds (every device of the run, idle or not) and
// their price.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace pase {

struct TrainingAmount {
  enum class Unit { none, tokens, samples, steps };
  Unit unit = Unit::none;
  double value = 0;
  bool given() const { return unit != Unit::none; }
  std::string describe() const;  // "3e+11 tokens"
};

// A positive count: "3e11", "300B" or "300G" (1e9), "1.5T", "20M", "100k". Throws
// std::invalid_argument naming `option`.
double parse_count(const std::string& option, const std::string& text);
// A positive duration with its unit: "14d", "36h", "90min", "3600s", "2w"; seconds. Throws
// std::invalid_argument naming `option`.
double parse_duration(const std::string& option, const std::string& text);

// The whole steps the run takes: tokens / (batch x seq), samples / batch, or the steps, rounded up.
// `batch` and `seq` <= 0 mean the model has no such parameter; throws std::invalid_argument naming
// the option and the missing parameter.
double training_steps(const TrainingAmount& amount, std::int64_t batch, std::int64_t seq);

// The price of a device-hour: one for every cluster, and per cluster name (NAME=PRICE wins).
struct DevicePrices {
  std::optional<double> all;
  std::map<std::string, double> by_cluster;
  // "2.5" or "dgx-h100=2.5"; throws std::invalid_argument naming --price-per-device-hour.
  void add(const std::string& text);
  std::optional<double> of(const std::string& cluster) const;
  bool empty() const { return !all && by_cluster.empty(); }
};

struct TrainingCost {
  double steps = 0;
  double seconds = 0;
  double device_hours = 0;
  double cost = 0;  // NaN without a price
};

TrainingCost training_cost(double steps, double step_time_s, std::int64_t devices, std::optional<double> price);

// "3.4 days", "5.2 h", "12 min", "40 s".
std::string duration_text(double seconds);

}  // namespace pase
