#include <fstream>
#include <iostream>

#include "pase/cli/commands.hpp"
#include "pase/cli/file_arguments.hpp"
#include "pase/cli/options.hpp"
#include "pase/decision/decision_charts.hpp"
#include "pase/decision/html_page.hpp"
#include "pase/io/output_path.hpp"
#include "pase/plot/svg_chart.hpp"
#include "pase/report/report_output.hpp"
#include "pase/sweep/memory_summary.hpp"
#include "pase/sweep/results_file.hpp"
#include "pase/sweep/speedup_summary.hpp"

namespace pase::cli {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The speedup against the device count as before the HTML page: medians over the rows that share a
// device count within each --by group, with min-max bars.
std::string speedup_picture(const std::vector<SpeedupSeries>& series, const std::string& title) {
  plot::LineChart chart;
  chart.title = title;
  chart.x_label = "devices";
  chart.y_label = "speedup over data parallelism (x)";
  chart.reference_y = 1.0;
  chart.reference_label = "data parallelism = 1";
  bool ranges = false;
  for (const auto& s : series) {
    plot::ChartSeries line;
    line.name = s.name;
    for (const auto& p : s.points) {
      line.x.push_back(static_cast<double>(p.procs));
      line.y.push_back(p.median);
      line.y_low.push_back(p.min);
      line.y_high.push_back(p.max);
      ranges = ranges || p.rows > 1;
    }
    chart.series.push_back(std::move(line));
  }
  if (ranges)
    chart.note = "Where several rows of a line share a device count (other axes vary), the line gives their median "
                 "and the bar spans their minimum to maximum.";
  bool positive = true;
  double lo = 1e300, hi = 0;
  for (const auto& s : chart.series)
    for (const double x : s.x) positive = positive && x > 0, lo = std::min(lo, x), hi = std::max(hi, x);
  chart.log2_x = positive && hi >= 4 * lo;
  if (chart.series.empty()) throw std::invalid_argument("--plot: no finished rows match, so there is nothing to draw");
  return plot::svg(chart);
}

}  // namespace

int report_command(int argc, char** argv) {
  po::options_description options("Report");
  options.add_options()
      ("html", po::value<std::string>(), "write the decision report: one self-contained HTML page with SVG charts")
      ("plot", po::value<std::string>(), "draw one chart as an SVG picture (sweep: the speedup against the device count)")
      ("where", po::value<std::vector<std::string>>()->composing(),
       "keep only rows with COLUMN=VALUE, e.g. --where bw=16 (repeatable)")
      ("by", po::value<std::vector<std::string>>()->composing(),
       "terminal table and --plot of a sweep: one line per value of these columns (default: model; repeatable)")
      ("title", po::value<std::string>(), "the --plot picture's title")
      ("deadline", po::value<std::string>(), "the fastest and cheapest configuration training within this time, e.g. 14d")
      ("currency", po::value<std::string>()->default_value("USD"), "the currency of --price-per-device-hour, for labels");
  options.add(training_options());
  po::variables_map vm;
  std::vector<std::string> files;
  if (!parse_with_files(argc, argv, options,
                        "Usage: pase report RESULTS.h5 | SEARCH.json... [--html report.html] [--plot chart.svg]\n"
                        "                   [--tokens N | --samples N | --steps N] [--price-per-device-hour [CLUSTER=]X]...\n"
                        "                   [--deadline 14d] [--where COLUMN=VALUE]... [--by COLUMN]...\n"
                        "Reads a sweep's results or the JSON of one or more searches (pase search --output). Prints the\n"
                        "speedup of the best strategy over data parallelism (a sweep: against the device count, one line\n"
                        "per model; the median, minimum and maximum where rows share a device count) and, with a\n"
                        "training amount, the time to train and its cost. --html writes all of it as one page.",
                        vm, "RESULTS.h5 or SEARCH.json", 1, 256, files))
    return exit_ok;
  for (const char* option : {"html", "plot"})
    if (vm.count(option)) {
      const std::string path = vm[option].as<std::string>();
      check_output_path(std::string("--") + option, path, files);
      const std::string tail = option == std::string("html") ? ".html" : ".svg";
      if (!ends_with(path, tail) && !(tail == ".html" && ends_with(path, ".htm")))
        throw po::error(std::string("--") + option + " '" + path + "': name a " + tail + " file" +
                        (tail == ".svg" ? " (pictures are SVG: vector, text as text)" : ""));
    }
  decision::DecisionOptions decision_options;
  decision_options.amount = training_amount_from(vm);
  decision_options.prices = device_prices_from(vm);
  decision_options.currency = vm["currency"].as<std::string>();
  if (vm.count("deadline")) decision_options.deadline_s = parse_duration("--deadline", vm["deadline"].as<std::string>());
  std::vector<RowFilter> filters;
  if (vm.count("where"))
    for (const auto& w : vm["where"].as<std::vector<std::string>>()) filters.push_back(parse_filter(w));

  decision::DecisionInput input;
  std::string picture;
  if (decision::is_results_file(files[0])) {
    if (files.size() > 1)
      throw std::invalid_argument(files[1] + ": a report reads one results .h5 file (join several with 'pase merge')");
    ResultsTable table = read_results_file(files[0]);
    const std::vector<std::string> by =
        vm.count("by") ? vm["by"].as<std::vector<std::string>>() : std::vector<std::string>{"model"};
    const auto series = speedup_series(table, filters, by);
    std::size_t ok = 0;
    for (const auto& r : table.rows) ok += r.ok() ? 1 : 0;
    std::cout << "sweep " << table.meta.spec_name << " (" << table.meta.spec_file << "): " << table.rows.size() << " of "
              << table.meta.point_count << " points, " << ok << " ok\n";
    if (!filters.empty()) {
      std::cout << "rows with";
      for (const auto& f : filters) std::cout << " " << f.column << "=" << f.value;
      std::cout << "\n";
    }
    std::cout << "speedup over data parallelism:\n";
    print_speedup_table(std::cout, series);
    if (const auto memory = memory_series(table, filters, by); !memory.empty()) {
      std::cout << "device memory (rows with a device capacity; data parallelism's speedup only where it fits):\n";
      print_memory_table(std::cout, memory);
    }
    if (vm.count("plot"))
      picture = speedup_picture(series, vm.count("title") ? vm["title"].as<std::string>()
                                                          : "Speedup over data parallelism (" + table.meta.spec_name + ")");
    table.rows = rows_matching(table, filters);
    input = decision::from_results(table, files[0]);
  } else {
    if (!filters.empty() || vm.count("by")) throw po::error("--where and --by apply to a sweep's results (.h5), not to search JSON");
    input = decision::read_decision_input(files);
    for (const auto& s : input.scenarios)
      std::cout << s.model << " on " << s.cluster_text() << ", " << s.procs << " devices: step time "
                << s.step_time_s * 1e3 << " ms, data parallelism " << s.data_parallel_step_time_s * 1e3 << " ms, speedup "
                << s.speedup << "x (" << s.source << ")\n";
  }
  const decision::Decision decision = decision::decide(input, decision_options);
  decision::print_decision(std::cout, input, decision_options, decision);
  const auto figures = decision::decision_charts(input, decision_options, decision);
  if (vm.count("plot")) {
    if (picture.empty()) {
      if (figures.empty()) throw std::invalid_argument("--plot: these results have no chart to draw");
      picture = figures.front().svg;
    }
    const std::string path = vm["plot"].as<std::string>();
    plot::write_svg_file(path, picture);
    std::cout << "picture: " << path << "\n";
  }
  if (vm.count("html")) {
    const std::string path = vm["html"].as<std::string>();
    write_text_file(path, decision::html_page(input, decision_options, decision, figures));
    std::cout << "page: " << path << " (" << figures.size() << " charts)\n";
  }
  return exit_ok;
}

}  // namespace pase::cli
