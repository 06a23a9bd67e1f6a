#include "pase/decision/decision.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace pase::decision {

Decision decide(const DecisionInput& input, const DecisionOptions& options) {
  Decision d;
  for (std::size_t i = 0; i < input.scenarios.size(); ++i) {
    const Scenario& s = input.scenarios[i];
    ScenarioCost c;
    if (options.amount.given()) {
      const double steps = training_steps(options.amount, s.param("batch"), s.param("seq"));
      c.known = true;
      c.price = options.prices.of(s.cluster);
      c.found = training_cost(steps, s.step_time_s, s.procs, c.price);
      c.data_parallel = training_cost(steps, s.data_parallel_step_time_s, s.procs, c.price);
      c.meets_deadline = !options.deadline_s || c.found.seconds <= *options.deadline_s;
    }
    d.costs.push_back(c);

    std::size_t m = 0;
    while (m < d.models.size() && d.models[m].model != s.model) ++m;
    if (m == d.models.size()) d.models.push_back({s.model, i, std::nullopt, std::nullopt});
    ModelChoice& choice = d.models[m];
    if (s.speedup > input.scenarios[choice.best_speedup].speedup) choice.best_speedup = i;
    if (!c.known || !c.meets_deadline) continue;
    if (!choice.fastest || c.found.seconds < d.costs[*choice.fastest].found.seconds) choice.fastest = i;
    if (c.price && (!choice.cheapest || c.found.cost < d.costs[*choice.cheapest].found.cost)) choice.cheapest = i;
  }
  return d;
}

std::optional<Baseline> best_baseline(const Scenario& s) {
  std::optional<Baseline> best;
  for (const auto& b : s.baselines)
    if (b.fits.value_or(true) && (!best || b.step_time_s < best->step_time_s)) best = b;
  return best;
}

namespace {

std::string money(double v, const std::string& currency) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4g %s", v, currency.c_str());
  return text;
}

std::string scenario_line(const Scenario& s, const ScenarioCost& c, const DecisionOptions& o) {
  std::string line = s.model + " on " + s.cluster_text() + ", " + std::to_string(s.procs) + " devices: " +
                     duration_text(c.found.seconds);
  char hours[64];
  std::snprintf(hours, sizeof hours, "%.4g", c.found.device_hours);
  line += ", " + std::string(hours) + " device-hours";
  if (c.price) line += ", " + money(c.found.cost, o.currency);
  return line + " (data parallelism " + duration_text(c.data_parallel.seconds) +
         (c.price ? ", " + money(c.data_parallel.cost, o.currency) : "") + ")";
}

}  // namespace

void print_decision(std::ostream& out, const DecisionInput& input, const DecisionOptions& o, const Decision& d) {
  if (!o.amount.given()) return;
  out << "time to train " << o.amount.describe();
  if (o.deadline_s) out << ", deadline " << duration_text(*o.deadline_s);
  out << ":\n";
  for (std::size_t i = 0; i < input.scenarios.size(); ++i)
    out << "  " << scenario_line(input.scenarios[i], d.costs[i], o)
        << (d.costs[i].meets_deadline ? "" : "  misses the deadline") << "\n";
  for (const auto& m : d.models) {
    if (d.models.size() > 1 || input.scenarios.size() > 1) {
      out << m.model << ": fastest "
          << (m.fastest ? scenario_line(input.scenarios[*m.fastest], d.costs[*m.fastest], o) : "none meets the deadline")
          << "\n";
      if (!o.prices.empty() || m.cheapest)
        out << m.model << ": cheapest "
            << (m.cheapest ? scenario_line(input.scenarios[*m.cheapest], d.costs[*m.cheapest], o)
                           : "none priced meets the deadline")
            << "\n";
    }
  }
}

}  // namespace pase::decision
