#include <iostream>

#include "pase/cli/commands.hpp"
#include "pase/cli/file_arguments.hpp"
#include "pase/cli/options.hpp"
#include "pase/io/output_path.hpp"
#include "pase/sweep/results_file.hpp"
#include "pase/plot/line_chart.hpp"
#include "pase/sweep/speedup_summary.hpp"

namespace pase::cli {

int report_command(int argc, char** argv) {
  po::options_description options("Report");
  options.add_options()
      ("plot", po::value<std::string>(), "also draw the speedup against the device count as a PNG picture")
      ("where", po::value<std::vector<std::string>>()->composing(),
       "keep only rows with COLUMN=VALUE, e.g. --where bw=16 (repeatable)")
      ("by", po::value<std::vector<std::string>>()->composing(),
       "one line per value of these columns (default: model; repeatable, e.g. --by model --by batch)")
      ("title", po::value<std::string>(), "the picture's title");
  po::variables_map vm;
  std::vector<std::string> files;
  if (!parse_with_files(argc, argv, options,
                        "Usage: pase report RESULTS.h5 [--plot speedup.png] [--where COLUMN=VALUE]... [--by COLUMN]...\n"
                        "Prints the speedup of the best strategy over data parallelism against the device count, one\n"
                        "line per model; where several rows share a device count (other axes vary) it gives their\n"
                        "median, minimum and maximum. --plot draws the same numbers.",
                        vm, "RESULTS.h5", 1, 1, files))
    return exit_ok;
  if (vm.count("plot")) check_output_path("--plot", vm["plot"].as<std::string>(), files);
  const ResultsTable table = read_results_file(files[0]);
  std::vector<RowFilter> filters;
  if (vm.count("where"))
    for (const auto& w : vm["where"].as<std::vector<std::string>>()) filters.push_back(parse_filter(w));
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

  if (vm.count("plot")) {
    plot::LineChart chart;
    chart.title = vm.count("title") ? vm["title"].as<std::string>()
                                    : "Speedup over data parallelism (" + table.meta.spec_name + ")";
    chart.x_label = "devices (p)";
    chart.y_label = "speedup over data parallelism";
    chart.reference_y = 1.0;
    chart.reference_label = "data parallelism";
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
    if (ranges) chart.title += ": median, bars min-max";
    bool positive = true;
    double lo = 1e300, hi = 0;
    for (const auto& s : chart.series)
      for (const double x : s.x) positive = positive && x > 0, lo = std::min(lo, x), hi = std::max(hi, x);
    chart.log2_x = positive && hi >= 4 * lo;
    if (chart.series.empty()) throw std::invalid_argument("--plot: no finished rows match, so there is nothing to draw");
    const std::string path = vm["plot"].as<std::string>();
    plot::render(chart).write_png(path);
    std::cout << "picture: " << path << "\n";
  }
  return exit_ok;
}

}  // namespace pase::cli
