#include "pase/decision/decision_charts.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "pase/plot/svg_chart.hpp"

namespace pase::decision {

namespace {

struct Line {
  std::string name;
  std::vector<std::size_t> scenarios;  // ascending procs
};

std::vector<Line> lines_of(const DecisionInput& input, const std::function<bool(std::size_t)>& keep) {
  std::vector<Line> lines;
  for (std::size_t i = 0; i < input.scenarios.size(); ++i) {
    if (!keep(i)) continue;
    const std::string name = series_name(input, input.scenarios[i]);
    auto it = std::find_if(lines.begin(), lines.end(), [&](const Line& l) { return l.name == name; });
    if (it == lines.end()) it = lines.insert(lines.end(), Line{name, {}});
    it->scenarios.push_back(i);
  }
  for (auto& l : lines)
    std::stable_sort(l.scenarios.begin(), l.scenarios.end(),
                     [&](std::size_t a, std::size_t b) { return input.scenarios[a].procs < input.scenarios[b].procs; });
  return lines;
}

bool any_line_has_two_points(const std::vector<Line>& lines) {
  return std::any_of(lines.begin(), lines.end(), [](const Line& l) { return l.scenarios.size() > 1; });
}

bool wide(const std::vector<double>& values) {
  double lo = INFINITY, hi = 0;
  for (const double v : values) lo = std::min(lo, v), hi = std::max(hi, v);
  return lo > 0 && hi > 20 * lo;
}

// The found strategy (solid) and data parallelism (dashed) against the device count, one colour per line.
plot::LineChart against_devices(const DecisionInput& input, const std::vector<Line>& lines,
                                const std::function<double(std::size_t)>& found,
                                const std::function<double(std::size_t)>& data_parallel) {
  plot::LineChart chart;
  chart.x_label = "devices";
  chart.log2_x = true;
  std::vector<double> all;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    plot::ChartSeries a{lines[k].name + ": found strategy", {}, {}, {}, {}, static_cast<int>(k), false};
    plot::ChartSeries b{lines[k].name + ": data parallelism", {}, {}, {}, {}, static_cast<int>(k), true};
    for (const std::size_t i : lines[k].scenarios) {
      const double x = static_cast<double>(input.scenarios[i].procs);
      a.x.push_back(x), a.y.push_back(found(i)), b.x.push_back(x), b.y.push_back(data_parallel(i));
      all.push_back(found(i)), all.push_back(data_parallel(i));
    }
    chart.series.push_back(std::move(a));
    chart.series.push_back(std::move(b));
  }
  chart.log10_y = wide(all);
  return chart;
}

std::string label(const Scenario& s) { return s.model + ", " + s.cluster_text() + ", " + std::to_string(s.procs) + " dev."; }

// Memory entries: the capacity, and the parts (or the total) per device, in bytes.
const char* const capacity_keys[] = {"capacity_bytes", "device_capacity_bytes", "device_memory_bytes"};
const char* const total_keys[] = {"per_device_bytes", "peak_bytes", "total_bytes"};

std::optional<double> first_of(const std::map<std::string, double>& m, const char* const (&keys)[3]) {
  for (const char* k : keys)
    if (const auto it = m.find(k); it != m.end()) return it->second;
  return std::nullopt;
}

std::vector<std::pair<std::string, double>> memory_parts(const std::map<std::string, double>& m) {
  std::vector<std::pair<std::string, double>> parts;
  for (const auto& entry : m) {
    const std::string& key = entry.first;  // not a structured binding: clang 14 cannot capture one
    const double value = entry.second;
    const bool named = std::any_of(std::begin(capacity_keys), std::end(capacity_keys), [&](const char* k) { return key == k; }) ||
                       std::any_of(std::begin(total_keys), std::end(total_keys), [&](const char* k) { return key == k; });
    if (!named && key.size() > 6 && key.compare(key.size() - 6, 6, "_bytes") == 0) parts.emplace_back(key.substr(0, key.size() - 6), value);
  }
  if (parts.empty())
    if (const auto total = first_of(m, total_keys)) parts.emplace_back("per device", *total);
  return parts;
}

}  // namespace

std::vector<Figure> decision_charts(const DecisionInput& input, const DecisionOptions& options, const Decision& d) {
  std::vector<Figure> figures;
  const auto all = lines_of(input, [](std::size_t) { return true; });
  const bool by_devices = any_line_has_two_points(all);

  if (by_devices) {
    plot::LineChart chart;
    chart.title = "Speedup of the found strategy over data parallelism";
    chart.x_label = "devices";
    chart.y_label = "speedup over data parallelism (x)";
    chart.log2_x = true;
    chart.reference_y = 1.0;
    chart.reference_label = "data parallelism = 1";
    for (std::size_t k = 0; k < all.size(); ++k) {
      plot::ChartSeries s{all[k].name, {}, {}, {}, {}, static_cast<int>(k), false};
      for (const std::size_t i : all[k].scenarios)
        s.x.push_back(static_cast<double>(input.scenarios[i].procs)), s.y.push_back(input.scenarios[i].speedup);
      chart.series.push_back(std::move(s));
    }
    chart.note = "One line per model and cluster" + std::string(input.varying.empty() ? "" : " and varying parameter") +
                 "; every point is one search, no medians.";
    figures.push_back({"speedup", "Speedup over data parallelism against the device count.", plot::svg(chart)});
  }

  // Step time: split into compute and exposed communication where the source gives it.
  std::vector<std::size_t> split;
  for (std::size_t i = 0; i < input.scenarios.size(); ++i)
    if (input.scenarios[i].breakdown && input.scenarios[i].data_parallel_breakdown) split.push_back(i);
  if (!split.empty() && split.size() <= 6) {
    // A pipeline's bubble (the slowest stage idle while the pipeline fills and drains) is a segment of its own.
    const bool bubbles = std::any_of(split.begin(), split.end(), [&](std::size_t i) {
      return input.scenarios[i].pipeline && input.scenarios[i].pipeline->bubble_s;
    });
    plot::BarChart chart;
    chart.title = bubbles ? "Step time: compute, pipeline bubble and exposed communication"
                          : "Step time: compute and exposed communication";
    chart.value_label = "time per training step (ms)";
    chart.segments = bubbles ? std::vector<std::string>{"compute", "pipeline bubble", "exposed communication"}
                             : std::vector<std::string>{"compute", "exposed communication"};
    auto bar = [&](const Breakdown& b, double bubble_s) {
      std::vector<double> v{(b.compute_s - bubble_s) * 1e3};
      if (bubbles) v.push_back(bubble_s * 1e3);
      v.push_back(b.exposed_communication_s * 1e3);
      return v;
    };
    std::string bubble_note;
    for (const std::size_t i : split) {
      const Scenario& s = input.scenarios[i];
      const std::string suffix = split.size() > 1 ? " (" + label(s) + ")" : "";
      const double bubble_s = s.pipeline && s.pipeline->bubble_s ? *s.pipeline->bubble_s : 0;
      chart.bars.push_back("found strategy" + suffix);
      chart.values.push_back(bar(*s.breakdown, bubble_s));
      chart.bars.push_back("data parallelism" + suffix);
      chart.values.push_back(bar(*s.data_parallel_breakdown, 0));
      if (s.pipeline && s.pipeline->bubble_s)
        bubble_note += (bubble_note.empty() ? "" : "; ") + plot::short_number(100 * s.pipeline->bubble_fraction) +
                       " % of the ideal time" + suffix;
    }
    chart.note = "Exposed communication is what the step waits for; communication overlapped with the backward pass "
                 "(gradient all-reduces, as PyTorch DDP runs them) is hidden in the compute bar.";
    if (bubbles)
      chart.note += " The pipeline bubble is the slowest stage's idle time while the pipeline fills and drains: "
                    "bubble fraction (S - 1) / m of the ideal time, " + bubble_note + ".";
    figures.push_back({"step-time", "Time per training step, found strategy against data parallelism.", plot::svg(chart)});
  } else if (by_devices) {
    plot::LineChart chart = against_devices(
        input, all, [&](std::size_t i) { return input.scenarios[i].step_time_s * 1e3; },
        [&](std::size_t i) { return input.scenarios[i].data_parallel_step_time_s * 1e3; });
    chart.title = "Step time against the device count";
    chart.y_label = "time per training step (ms)";
    chart.note = "Solid: the found strategy; dashed: data parallelism. The results file holds step times without "
                 "their compute/communication split; search one point with --output for it.";
    figures.push_back({"step-time", "Time per training step against the device count.", plot::svg(chart)});
  }

  // Memory per device against the device's capacity.
  std::vector<std::size_t> with_memory;
  for (std::size_t i = 0; i < input.scenarios.size(); ++i)
    if (!memory_parts(input.scenarios[i].memory).empty()) with_memory.push_back(i);
  if (!with_memory.empty() && with_memory.size() <= 6) {
    plot::BarChart chart;
    chart.title = "Memory per device against its capacity";
    chart.value_label = "memory per device (GB, 1e9 bytes)";
    std::vector<std::string> segments;
    auto add_bar = [&](const std::string& name, const std::map<std::string, double>& m) {
      const auto parts = memory_parts(m);
      std::vector<double> values(segments.size(), 0);
      for (const auto& [part, bytes] : parts) {
        auto it = std::find(segments.begin(), segments.end(), part);
        if (it == segments.end()) {
          segments.push_back(part);
          for (auto& v : chart.values) v.push_back(0);
          values.push_back(0);
          it = segments.end() - 1;
        }
        values[static_cast<std::size_t>(it - segments.begin())] = bytes / 1e9;
      }
      chart.bars.push_back(name);
      chart.values.push_back(values);
    };
    std::optional<double> capacity;
    bool same_capacity = true;
    for (const std::size_t i : with_memory) {
      const Scenario& s = input.scenarios[i];
      const std::string suffix = with_memory.size() > 1 ? " (" + label(s) + ")" : "";
      add_bar("found strategy" + suffix, s.memory);
      if (!memory_parts(s.data_parallel_memory).empty()) add_bar("data parallelism" + suffix, s.data_parallel_memory);
      if (const auto c = first_of(s.memory, capacity_keys)) {
        same_capacity = same_capacity && (!capacity || *capacity == *c);
        capacity = c;
      }
    }
    chart.segments = segments;
    if (capacity && same_capacity) {
      chart.limit = *capacity / 1e9;
      chart.limit_label = "device capacity " + plot::short_number(*capacity / 1e9) + " GB";
    }
    figures.push_back({"memory", "Memory each device needs, by part, against the device's capacity.", plot::svg(chart)});
  }

  // Time to train and cost.
  if (options.amount.given()) {
    double longest = 0;
    for (const auto& c : d.costs) longest = std::max({longest, c.found.seconds, c.data_parallel.seconds});
    const bool days = longest >= 2 * 86400;
    const double unit = days ? 86400 : 3600;
    const std::string unit_name = days ? "days" : "hours";
    const std::string amount = options.amount.describe();
    auto time_or_cost = [&](bool cost) {
      const auto lines = lines_of(input, [&](std::size_t i) { return !cost || d.costs[i].price.has_value(); });
      auto found = [&](std::size_t i) { return cost ? d.costs[i].found.cost : d.costs[i].found.seconds / unit; };
      auto dp = [&](std::size_t i) { return cost ? d.costs[i].data_parallel.cost : d.costs[i].data_parallel.seconds / unit; };
      const std::string y_label = cost ? "cost (" + options.currency + ")" : "time to train (" + unit_name + ", wall-clock)";
      const std::string title = (cost ? "Cost of training " : "Time to train ") + amount;
      if (any_line_has_two_points(lines)) {
        plot::LineChart chart = against_devices(input, lines, found, dp);
        chart.title = title + " against the device count";
        chart.y_label = y_label;
        chart.note = "Solid: the found strategy; dashed: data parallelism." +
                     std::string(cost ? " Cost = devices x hours x price per device-hour; idle devices are paid for." : "");
        if (!cost && options.deadline_s) {
          // A deadline far above every line would squash them: then it is said, not drawn.
          if (*options.deadline_s <= 3 * longest) {
            chart.reference_y = *options.deadline_s / unit;
            chart.reference_label = "deadline " + duration_text(*options.deadline_s);
          } else {
            chart.note += " Every configuration trains well within the deadline of " + duration_text(*options.deadline_s) + ".";
          }
        }
        return plot::svg(chart);
      }
      plot::BarChart chart;
      chart.title = title;
      chart.value_label = y_label;
      chart.segments = {cost ? "cost" : "wall-clock time"};
      for (const auto& l : lines)
        for (const std::size_t i : l.scenarios) {
          const std::string suffix = input.scenarios.size() > 1 ? " (" + label(input.scenarios[i]) + ")" : "";
          chart.bars.push_back("found strategy" + suffix);
          chart.values.push_back({found(i)});
          chart.bars.push_back("data parallelism" + suffix);
          chart.values.push_back({dp(i)});
        }
      if (!cost && options.deadline_s) {
        chart.limit = *options.deadline_s / unit;
        chart.limit_label = "deadline " + duration_text(*options.deadline_s);
      }
      return plot::svg(chart);
    };
    figures.push_back({"time-to-train", "Wall-clock time to train " + amount + ".", time_or_cost(false)});
    if (std::any_of(d.costs.begin(), d.costs.end(), [](const ScenarioCost& c) { return c.price.has_value(); }))
      figures.push_back({"cost", "Cost of training " + amount + " at the given price per device-hour.", time_or_cost(true)});
  }
  return figures;
}

}  // namespace pase::decision
