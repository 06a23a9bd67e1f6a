#pragma once
// The decision a report supports: for every scenario the time to train and its cost with the found
// strategy and with data parallelism; per model the fastest and the cheapest scenario that meets the
// deadline (which hardware to buy); and the terminal summary of all that.

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "pase/decision/decision_input.hpp"
#include "pase/report/training_cost.hpp"

namespace pase::decision {

struct DecisionOptions {
  TrainingAmount amount;  // --tokens, --samples or --steps
  DevicePrices prices;    // --price-per-device-hour
  std::optional<double> deadline_s;
  std::string currency = "USD";
};

struct ScenarioCost {
  bool known = false;  // a training amount was given
  TrainingCost found, data_parallel;
  std::optional<double> price;
  bool meets_deadline = true;  // the found strategy trains within the deadline (true without one)
};

struct ModelChoice {
  std::string model;
  std::size_t best_speedup = 0;          // scenario index
  std::optional<std::size_t> fastest;    // meeting the deadline
  std::optional<std::size_t> cheapest;   // meeting the deadline, among the priced ones
};

struct Decision {
  std::vector<ScenarioCost> costs;  // one per scenario
  std::vector<ModelChoice> models;  // in order of first appearance
};

// Throws std::invalid_argument when the amount cannot be turned into steps for a scenario (e.g.
// --tokens for a model without a seq parameter).
Decision decide(const DecisionInput& input, const DecisionOptions& options);

// The best baseline that fits memory (JSON baselines[] with fits not false), if any.
std::optional<Baseline> best_baseline(const Scenario& s);

// Terminal lines: time to train and cost, the fastest and cheapest per model.
void print_decision(std::ostream& out, const DecisionInput& input, const DecisionOptions& options, const Decision& d);

}  // namespace pase::decision
