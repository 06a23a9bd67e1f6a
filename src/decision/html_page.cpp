#include "pase/decision/html_page.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/plot/svg_chart.hpp"
#include "pase/sweep/csv_export.hpp"

namespace pase::decision {

namespace {

using plot::escape_xml;

std::string digits(double v, int significant) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*g", significant, v);
  return text;
}

std::string grouped(double v) {  // 1234567 -> 1,234,567 (whole numbers)
  char text[64];
  std::snprintf(text, sizeof text, "%.0f", v);
  std::string s = text, out;
  const std::size_t start = s[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > start && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

// Large amounts whole and grouped, small ones to 3 significant digits.
std::string amount(double v) { return std::fabs(v) >= 1000 ? grouped(v) : digits(v, 3); }

// Where a scenario's numbers come from, as attributes: the search file's index or the sweep's point.
std::string origin(const DecisionInput& input, std::size_t i) {
  const Scenario& s = input.scenarios[i];
  return s.point >= 0 ? "data-point=\"" + std::to_string(s.point) + "\"" : "data-src=\"" + std::to_string(i) + "\"";
}

// A number shown as `text`, tagged with its key in the source and its exact value.
std::string value(const DecisionInput& input, std::size_t i, const std::string& key, double v, const std::string& text) {
  return "<span class=\"v\" " + origin(input, i) + " data-key=\"" + escape_xml(key) + "\" data-value=\"" +
         exact_number(v) + "\">" + escape_xml(text) + "</span>";
}

std::string ms(double seconds) { return digits(seconds * 1e3, 4) + " ms"; }
std::string times(double x) { return digits(x, 3) + "\u00d7"; }

// The keys of one scenario's numbers in its source: search JSON paths or results columns.
struct Keys {
  bool sweep;
  std::string dp_step() const { return sweep ? "data_parallel_step_time_s" : "data_parallel.step_time_s"; }
};

const char* const css = R"css(
body{font-family:sans-serif;margin:2em auto;max-width:1080px;padding:0 1em;color:#111;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
.sub{color:#555;margin-top:0}.answer{font-size:1.2em;background:#eef5fb;border-left:5px solid #0072B2;padding:.6em .9em}
table{border-collapse:collapse;font-size:.9em;margin:.6em 0}th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.pick td{background:#fff6df}.tag{font-weight:bold;color:#8a5a00}
figure{margin:1.2em 0}figcaption{color:#444;font-size:.9em}svg{max-width:100%;height:auto}code{background:#f3f3f3;padding:0 .2em}
.miss{color:#b00}
)css";

std::string precision_text(const Scenario& s) {
  if (!s.precision.empty()) return s.precision;
  return s.cost_model == "hardware" ? "not recorded" : "not modelled (paper model: FLOP at --flops)";
}

std::string plural(std::int64_t n, const std::string& one, const std::string& many) {
  return n == 1 ? one : many;
}

// "a pipeline of 8 stages × 8 devices, 1 replica, 64 micro-batches of 1 sample (bubble 10.9 %)".
std::string pipeline_text(const DecisionInput& input, std::size_t i) {
  const Pipeline& p = *input.scenarios[i].pipeline;
  auto tagged = [&](const std::string& field, double v, const std::string& text) {
    return value(input, i, p.keys.at(field), v, text);
  };
  const auto n = static_cast<std::int64_t>(p.stages.size());
  bool tensor = !p.stages.empty();
  for (const auto& st : p.stages) tensor = tensor && st.strategy == "megatron";
  std::string text = "a pipeline of " + tagged("stages", static_cast<double>(n), std::to_string(n)) +
                     plural(n, " stage", " stages") + " × " +
                     tagged("stage_devices", static_cast<double>(p.stage_devices), std::to_string(p.stage_devices)) +
                     (tensor ? "-way tensor parallel" : plural(p.stage_devices, " device", " devices")) + ", " +
                     tagged("replicas", static_cast<double>(p.replicas), std::to_string(p.replicas)) +
                     plural(p.replicas, " replica", " replicas") + ", " +
                     tagged("microbatches", static_cast<double>(p.microbatches), std::to_string(p.microbatches)) +
                     plural(p.microbatches, " micro-batch", " micro-batches") + " of " +
                     tagged("microbatch_size", static_cast<double>(p.microbatch_size), std::to_string(p.microbatch_size)) +
                     plural(p.microbatch_size, " sample", " samples") + " (bubble " +
                     tagged("bubble_fraction", p.bubble_fraction, digits(100 * p.bubble_fraction, 3) + " %") +
                     " of the ideal time";
  if (!p.recompute.empty() && p.recompute != "none") text += ", " + escape_xml(p.recompute) + " recomputation";
  if (p.sequence_parallel) text += ", sequence parallel";
  return text + ")";
}

void answer(std::ostringstream& out, const DecisionInput& input, const DecisionOptions& options, const Decision& d) {
  out << "<section id=\"answer\"><h2>Answer</h2>\n";
  for (std::size_t m = 0; m < d.models.size(); ++m) {
    const std::size_t i = d.models[m].best_speedup;
    const Scenario& s = input.scenarios[i];
    const Keys k{input.sweep};
    out << "<p class=\"answer\"" << (m == 0 ? " id=\"answer-line\"" : "") << ">";
    if (input.scenarios.size() > 1) out << "<b>" << escape_xml(s.model) << "</b>: the largest speedup is on ";
    else out << "On ";
    out << escape_xml(s.cluster_text()) << " with " << value(input, i, "procs", static_cast<double>(s.procs), std::to_string(s.procs))
        << " devices: the strategy pase found" << (s.pipeline ? ", " + pipeline_text(input, i) + "," : "") << " is "
        << (s.data_parallel_fits ? value(input, i, "speedup_over_data_parallel", s.speedup, times(s.speedup)) : times(s.speedup))
        << " as fast as data parallelism, " << value(input, i, "step_time_s", s.step_time_s, ms(s.step_time_s))
        << " a step instead of " << value(input, i, k.dp_step(), s.data_parallel_step_time_s, ms(s.data_parallel_step_time_s))
        << (s.data_parallel_fits ? "." : ", but data parallelism does not fit the devices' memory.");
    if (const auto b = best_baseline(s)) {
      std::size_t index = 0;
      while (s.baselines[index].name != b->name || s.baselines[index].step_time_s != b->step_time_s) ++index;
      out << " Over the best baseline that fits memory (" << escape_xml(b->name) << ", "
          << value(input, i, "baselines." + std::to_string(index) + ".step_time_s", b->step_time_s, ms(b->step_time_s))
          << "): " << times(b->step_time_s / s.step_time_s) << ".";
    }
    if (const auto& mg = s.megatron)
      out << " Megatron-LM's rule of thumb (<code>" << escape_xml(mg->setup) << "</code>) takes "
          << value(input, i, mg->key, mg->step_time_s, ms(mg->step_time_s)) << " a step"
          << (mg->fits ? "" : " and does not fit the devices' memory") << ": the found strategy is "
          << times(mg->step_time_s / s.step_time_s) << " as fast.";
    if (s.data_parallel_chosen)
      out << " (The DP's strategy lost to data parallelism once both overlap their gradient all-reduces, so the "
             "found strategy is data parallelism.)";
    out << "</p>\n";
    const ModelChoice& c = d.models[m];
    if (options.amount.given()) {
      auto pick = [&](const char* what, std::optional<std::size_t> j) {
        out << "<p>" << what << (options.deadline_s ? " meeting the deadline of " + duration_text(*options.deadline_s) : "")
            << ": ";
        if (!j) {
          out << "<span class=\"miss\">none</span>.</p>\n";
          return;
        }
        const Scenario& t = input.scenarios[*j];
        const ScenarioCost& cost = d.costs[*j];
        out << "<b>" << escape_xml(t.cluster_text()) << ", " << t.procs << " devices</b>: "
            << value(input, *j, "train.found.seconds", cost.found.seconds, duration_text(cost.found.seconds));
        if (cost.price)
          out << ", " << value(input, *j, "train.found.cost", cost.found.cost, amount(cost.found.cost) + " " + options.currency);
        out << ".</p>\n";
      };
      pick("Fastest", c.fastest);
      if (!options.prices.empty()) pick("Cheapest", c.cheapest);
    }
  }
  if (input.sweep && input.rows_failed > 0)
    out << "<p>" << input.rows_failed << " of " << input.rows_total
        << " rows did not finish (memory limit or error) and are left out; <code>pase export --csv</code> lists them.</p>\n";
  out << "</section>\n";
}

void training(std::ostringstream& out, const DecisionInput& input, const DecisionOptions& o, const Decision& d) {
  out << "<section id=\"time-to-train\"><h2>Time to train and cost</h2>\n";
  if (!o.amount.given()) {
    out << "<p>Give <code>--tokens N</code>, <code>--samples N</code> or <code>--steps N</code> (and "
           "<code>--price-per-device-hour X</code>, <code>--deadline 14d</code>) for the wall-clock time, the "
           "device-hours and the cost of training.</p></section>\n";
    return;
  }
  std::set<std::size_t> fastest, cheapest;
  for (const auto& m : d.models) {
    if (m.fastest) fastest.insert(*m.fastest);
    if (m.cheapest) cheapest.insert(*m.cheapest);
  }
  out << "<p>Training " << escape_xml(o.amount.describe());
  if (o.deadline_s) out << " with a deadline of " << duration_text(*o.deadline_s);
  out << ". Device-hours count every device of the run; cost is device-hours times the price per device-hour"
      << (o.prices.empty() ? " (no price given: <code>--price-per-device-hour</code>)" : "") << ".</p>\n";
  out << "<table><tr><th>model</th><th>cluster</th><th class=\"n\">devices</th><th class=\"n\">steps</th>"
         "<th class=\"n\">found: time</th><th class=\"n\">device-hours</th><th class=\"n\">cost</th>"
         "<th class=\"n\">data par.: time</th><th class=\"n\">cost</th><th class=\"n\">saving</th><th></th></tr>\n";
  for (std::size_t i = 0; i < input.scenarios.size(); ++i) {
    const Scenario& s = input.scenarios[i];
    const ScenarioCost& c = d.costs[i];
    const bool pick = fastest.count(i) || cheapest.count(i);
    out << "<tr" << (pick ? " class=\"pick\"" : "") << "><td>" << escape_xml(s.model) << "</td><td>"
        << escape_xml(s.cluster_text()) << "</td><td class=\"n\">" << s.procs << "</td><td class=\"n\">"
        << value(input, i, "train.found.steps", c.found.steps, grouped(c.found.steps)) << "</td><td class=\"n\">"
        << value(input, i, "train.found.seconds", c.found.seconds, duration_text(c.found.seconds)) << "</td><td class=\"n\">"
        << value(input, i, "train.found.device_hours", c.found.device_hours, amount(c.found.device_hours)) << "</td><td class=\"n\">"
        << (c.price ? value(input, i, "train.found.cost", c.found.cost, amount(c.found.cost) + " " + o.currency) : "-")
        << "</td><td class=\"n\">"
        << value(input, i, "train.data_parallel.seconds", c.data_parallel.seconds, duration_text(c.data_parallel.seconds))
        << "</td><td class=\"n\">"
        << (c.price ? value(input, i, "train.data_parallel.cost", c.data_parallel.cost,
                            amount(c.data_parallel.cost) + " " + o.currency)
                    : "-")
        << "</td><td class=\"n\">";
    const double saved = c.data_parallel.seconds - c.found.seconds;
    out << value(input, i, "train.saving.seconds", saved, duration_text(std::fabs(saved)) + (saved < 0 ? " more" : ""));
    if (c.price)
      out << ", " << value(input, i, "train.saving.cost", c.data_parallel.cost - c.found.cost,
                           amount(c.data_parallel.cost - c.found.cost) + " " + o.currency);
    out << "</td><td>";
    if (fastest.count(i)) out << "<span class=\"tag\">fastest</span> ";
    if (cheapest.count(i)) out << "<span class=\"tag\">cheapest</span> ";
    if (!c.meets_deadline) out << "<span class=\"miss\">misses deadline</span>";
    out << "</td></tr>\n";
  }
  out << "</table></section>\n";
}

void charts(std::ostringstream& out, const std::vector<Figure>& figures) {
  out << "<section id=\"charts\"><h2>Charts</h2>\n";
  for (const auto& f : figures) {
    std::string svg = f.svg;
    // Inline SVG in HTML needs no namespace; dropping it keeps the page free of any URL.
    const std::string ns = " xmlns=\"http://www.w3.org/2000/svg\"";
    if (const auto at = svg.find(ns); at != std::string::npos) svg.erase(at, ns.size());
    out << "<figure id=\"chart-" << f.id << "\">\n" << svg << "<figcaption>" << escape_xml(f.caption)
        << "</figcaption></figure>\n";
  }
  if (figures.empty()) out << "<p>No chart: one search at one device count has no line to draw.</p>\n";
  out << "</section>\n";
}

// The stages of the answer's pipeline: layers, devices, a micro-batch's time and memory per device.
void pipeline_stages(std::ostringstream& out, const DecisionInput& input, const Decision& d) {
  const std::size_t i = d.models.front().best_speedup;
  const Scenario& s = input.scenarios[i];
  if (!s.pipeline) return;
  const Pipeline& p = *s.pipeline;
  out << "<section id=\"pipeline\"><h2>Pipeline stages</h2>\n<p>" << escape_xml(s.model) << " on "
      << escape_xml(s.cluster_text()) << " with " << s.procs << " devices: " << pipeline_text(input, i)
      << ". Each stage runs on its own devices" << (p.replicas > 1 ? " in every replica" : "")
      << "; a step pushes every micro-batch through the stages with the 1F1B schedule"
      << (p.interleave > 1 ? " (interleaved, " + std::to_string(p.interleave) + " chunks a device)" : "")
      << ", the slowest stage setting the pace. A micro-batch's time is its forward and backward pass on the stage "
         "and the send of its activations to the next; memory is a device's peak, the in-flight micro-batches "
         "included.</p>\n<table><tr><th>stage</th><th>layers</th><th class=\"n\">layer count</th>"
         "<th class=\"n\">devices</th><th>layers by</th><th class=\"n\">micro-batch time</th>"
         "<th class=\"n\">memory per device</th></tr>\n";
  for (std::size_t k = 0; k < p.stages.size(); ++k) {
    const PipelineStage& st = p.stages[k];
    const std::string key = p.stage_prefix + std::to_string(k);
    out << "<tr><td>" << k << "</td><td><code>" << escape_xml(st.first) << "</code> .. <code>" << escape_xml(st.last)
        << "</code></td><td class=\"n\">" << st.layers << "</td><td class=\"n\">"
        << value(input, i, key + ".devices", static_cast<double>(st.devices), std::to_string(st.devices))
        << "</td><td>"
        << (st.strategy == "megatron" ? "Megatron-LM tensor parallel" : st.strategy == "search" ? "the plain search" : "-")
        << "</td><td class=\"n\">"
        << value(input, i, key + ".microbatch_time_s", st.microbatch_time_s, ms(st.microbatch_time_s))
        << "</td><td class=\"n\">"
        << value(input, i, key + ".memory_bytes_per_device", st.memory_bytes_per_device,
                 digits(st.memory_bytes_per_device / 1e9, 4) + " GB")
        << "</td></tr>\n";
  }
  out << "</table></section>\n";
}

void strategy(std::ostringstream& out, const DecisionInput& input, const Decision& d) {
  out << "<section id=\"strategy\"><h2>Per-layer strategy</h2>\n";
  const std::size_t i = d.models.front().fastest.value_or(d.models.front().best_speedup);
  const Scenario& s = input.scenarios[i];
  out << "<p>" << escape_xml(s.model) << " on " << escape_xml(s.cluster_text()) << " with " << s.procs
      << " devices. Configuration: the number of ways each dimension (letters of <em>dims</em>) is split.";
  if (!s.layers.empty()) {
    const bool memory = std::any_of(s.layers.begin(), s.layers.end(), [](const LayerLine& l) { return l.memory_bytes.has_value(); });
    double memory_total = 0;
    for (const auto& l : s.layers) memory_total += l.memory_bytes.value_or(0);
    const bool hardware = s.cost_model == "hardware";
    out << (hardware ? " Placement: <code>b8@2n</code> = 8 ways over 2 nodes, <code>@in</code> = inside a node." : "")
        << "</p>\n<table><tr><th>layer</th><th>op</th><th>dims</th><th>configuration</th>"
        << (hardware ? "<th>placement</th>" : "") << "<th class=\"n\">time</th><th class=\"n\">time share</th>"
        << (memory ? "<th class=\"n\">memory share</th>" : "") << "</tr>\n";
    for (std::size_t l = 0; l < s.layers.size(); ++l) {
      const LayerLine& line = s.layers[l];
      const std::string key = "layers." + std::to_string(l);
      out << "<tr><td>" << escape_xml(line.name) << "</td><td>" << escape_xml(line.op) << "</td><td><code>"
          << escape_xml(line.dims) << "</code></td><td><code>" << escape_xml(line.config) << "</code></td>";
      if (hardware) out << "<td><code>" << escape_xml(line.placement) << "</code></td>";
      out << "<td class=\"n\">" << value(input, i, key + ".time_s", line.time_s, digits(line.time_s * 1e3, 4) + " ms")
          << "</td><td class=\"n\">" << value(input, i, key + ".share", line.share, digits(100 * line.share, 3) + " %") << "</td>";
      if (memory)
        out << "<td class=\"n\">"
            << (line.memory_bytes && memory_total > 0 ? digits(100 * *line.memory_bytes / memory_total, 3) + " %" : "-")
            << "</td>";
      out << "</tr>\n";
    }
    out << "</table>\n";
  } else if (!s.strategy.empty()) {
    out << " The results file keeps each layer's configuration; search this point with <code>pase search --output</code> "
           "for times and placement.</p>\n<table><tr><th>layer</th><th>configuration</th></tr>\n";
    try {
      const auto configs = nlohmann::ordered_json::parse(s.strategy);
      for (const auto& [name, config] : configs.items()) {
        std::string text;
        for (const auto& v : config) text += (text.empty() ? "" : ",") + v.dump();
        out << "<tr><td>" << escape_xml(name) << "</td><td><code>" << escape_xml(text) << "</code></td></tr>\n";
      }
    } catch (const nlohmann::json::exception&) {
      out << "<tr><td colspan=\"2\">(the row's strategy is not readable JSON)</td></tr>\n";
    }
    out << "</table>\n";
  } else {
    out << (s.pipeline ? " A pipeline: its stages are in the table above." : "") << "</p>\n";
  }
  out << "</section>\n";
}

void assumptions(std::ostringstream& out, const DecisionInput& input, const DecisionOptions& o) {
  out << "<section id=\"assumptions\"><h2>Assumptions</h2>\n<ul>\n";
  std::set<std::string> seen;
  for (const auto& s : input.scenarios) {
    const std::string key = s.cluster_text() + "|" + s.cost_model + "|" + s.precision;
    if (!seen.insert(key).second) continue;
    out << "<li><b>" << escape_xml(s.cluster_text()) << "</b>: cost model <code>" << escape_xml(s.cost_model)
        << "</code>, precision " << escape_xml(precision_text(s)) << ". ";
    if (s.cost_model == "hardware") {
      try {
        const cluster::HardwareCluster c = cluster::load_cluster(s.cluster);
        out << c.nodes << " node(s) of " << c.devices_per_node << " devices, " << digits(c.device.memory_bytes / 1e9, 3)
            << " GB each; links " << digits(c.intra_node.bytes_per_s / 1e9, 3) << " GB/s inside a node, "
            << digits(c.inter_node.bytes_per_s / 1e9, 3) << " GB/s between nodes (per device, one direction). ";
        const auto doc = nlohmann::json::parse(cluster::preset_text(s.cluster));
        out << "Sources of its numbers:<ul>";
        for (const auto& [what, source] : doc["sources"].items())
          out << "<li><code>" << escape_xml(what) << "</code>: " << escape_xml(source.get<std::string>()) << "</li>";
        out << "</ul>";
      } catch (const std::exception&) {
        out << "(not a shipped preset: its numbers and sources are in its pase-cluster file.) ";
      }
    } else {
      out << digits(s.flops_tflops, 4) << " TFLOP/s per device, links " << digits(s.bw_gbytes, 4)
          << " GB/s: the PaSE prototype's FLOP model, step time = cost / peak.";
    }
    out << "</li>\n";
  }
  out << "<li><b>Estimated, not measured</b>: every step time is pase's model of one training step (forward, backward, "
         "gradient all-reduce, re-layouts), not a run on the hardware; the hardware model's formulas and the "
         "comparison with the PaSE paper's measured speedups are in <code>src/cluster/README.md</code>. "
         "Layers of type <code>Measured</code> in a model file carry measured costs.</li>\n"
      << "<li><b>Data parallelism</b>: every layer splits only its batch dimension (as far as divisibility allows), "
         "priced by the same model; the speedup is its step time over the found strategy's.</li>\n";
  if (o.amount.given())
    out << "<li><b>Time to train</b>: steps = " << escape_xml(o.amount.describe())
        << (o.amount.unit == TrainingAmount::Unit::tokens   ? " / (batch x seq)"
            : o.amount.unit == TrainingAmount::Unit::samples ? " / batch"
                                                             : "")
        << ", rounded up; wall-clock = steps x step time (no start-up, checkpoints, evaluation or failures); "
           "device-hours = wall-clock x all devices of the run.</li>\n";
  if (!o.prices.empty()) {
    out << "<li><b>Price</b>: given on the command line (<code>--price-per-device-hour</code>): ";
    if (o.prices.all) out << digits(*o.prices.all, 6) << " " << escape_xml(o.currency) << " per device-hour";
    for (const auto& [name, price] : o.prices.by_cluster)
      out << "; " << escape_xml(name) << ": " << digits(price, 6) << " " << escape_xml(o.currency);
    out << ". pase ships no prices: they differ between providers, contracts and months.</li>\n";
  }
  out << "</ul></section>\n";
}

}  // namespace

std::string html_page(const DecisionInput& input, const DecisionOptions& options, const Decision& d,
                      const std::vector<Figure>& figures) {
  std::ostringstream out;
  const std::string title = "pase report: " + input.title;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << escape_xml(title)
      << "</title>\n<style>" << css << "</style>\n</head>\n<body>\n<h1>" << escape_xml(title) << "</h1>\n<p class=\"sub\">";
  for (std::size_t f = 0; f < input.files.size(); ++f) out << (f ? ", " : "From ") << "<code>" << escape_xml(input.files[f]) << "</code>";
  out << ": " << input.scenarios.size() << (input.sweep ? " finished points" : " search(es)") << ".</p>\n";
  if (input.scenarios.empty()) {
    out << "<section id=\"answer\"><h2>Answer</h2><p class=\"answer\" id=\"answer-line\">No finished point: nothing to "
           "report.</p></section>\n</body>\n</html>\n";
    return out.str();
  }
  answer(out, input, options, d);
  training(out, input, options, d);
  charts(out, figures);
  pipeline_stages(out, input, d);
  strategy(out, input, d);
  assumptions(out, input, options);
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace pase::decision
