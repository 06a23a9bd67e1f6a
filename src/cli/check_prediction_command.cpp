#include <cmath>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "pase/cli/commands.hpp"
#include "pase/cli/file_arguments.hpp"
#include "pase/cli/options.hpp"
#include "pase/io/atomic_replace.hpp"
#include "pase/io/output_path.hpp"
#include "pase/report/prediction_check.hpp"

namespace pase::cli {

namespace {

// A row's columns as the options of `pase search`, read by the same code.
SearchSettings row_settings(const MeasuredStep& row, int threads) {
  std::vector<std::string> args = {"--cluster", row.cluster, "--procs", std::to_string(row.devices), "--precision",
                                   row.precision, "--threads", std::to_string(threads)};
  for (const std::string& item : row.overrides) args.insert(args.end(), {"--set", item});
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(problem_options()).run(), vm);
  po::notify(vm);
  return settings_from(vm, row.model, 1);
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", 100 * fraction);
  return text;
}

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", s);
  return text;
}

}  // namespace

int check_prediction_command(int argc, char** argv) {
  po::options_description options("Check predictions");
  options.add_options()
      ("output", po::value<std::string>(), "also write the rows and the summary as JSON to this file")
      ("threads", po::value<int>()->default_value(1), "OpenMP threads for the rows whose strategy is 'search'");
  po::variables_map vm;
  std::vector<std::string> files;
  if (!parse_with_files(argc, argv, options,
                        "Usage: pase check-prediction MEASURED.csv [--output CHECK.json]\n"
                        "Prints pase's predicted step time (hardware model) against each measured one and the\n"
                        "relative error (predicted - measured) / measured. The CSV's columns (src/profiler/README.md):\n"
                        "model, cluster, devices, strategy (data_parallel, search or a pase search --output\n"
                        "file), measured_s, and optionally precision and set (name=value;name=value).",
                        vm, "MEASURED.csv", 1, 1, files))
    return exit_ok;
  const std::string output = vm.count("output") ? vm["output"].as<std::string>() : "";
  if (!output.empty()) check_output_path("--output", output, {files[0]});
  const std::vector<MeasuredStep> rows = read_measured_steps(files[0]);

  nlohmann::json out_rows = nlohmann::json::array();
  double sum_abs = 0, max_abs = 0;
  std::printf("%-5s %-14s %-22s %7s %-24s %12s %12s %8s\n", "line", "model", "cluster", "devices", "strategy",
              "measured_s", "predicted_s", "error");
  for (const MeasuredStep& row : rows) {
    PredictedStep p;
    try {
      p = predict_step(row, row_settings(row, vm["threads"].as<int>()));
    } catch (const po::error& e) {
      throw std::invalid_argument(row.where() + ": " + e.what());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(row.where() + ": " + e.what());
    }
    const std::string model = std::filesystem::path(row.model).stem().string();
    const std::string cluster = std::filesystem::path(row.cluster).filename().string();
    std::printf("%-5d %-14s %-22s %7lld %-24s %12s %12s %8s\n", row.line, model.c_str(), cluster.c_str(),
                static_cast<long long>(row.devices), p.strategy.c_str(), seconds(row.measured_s).c_str(),
                seconds(p.predicted.step_time_s()).c_str(), percent(p.relative_error).c_str());
    sum_abs += std::fabs(p.relative_error);
    max_abs = std::max(max_abs, std::fabs(p.relative_error));
    out_rows.push_back({{"line", row.line}, {"model", row.model}, {"cluster", row.cluster}, {"devices", row.devices},
                        {"strategy", p.strategy}, {"precision", row.precision}, {"set", row.overrides},
                        {"measured_s", row.measured_s}, {"predicted_s", p.predicted.step_time_s()},
                        {"predicted_compute_s", p.predicted.compute_s},
                        {"predicted_communication_s", p.predicted.communication_s},
                        {"predicted_exposed_communication_s", p.predicted.exposed_communication_s},
                        {"relative_error", p.relative_error}});
  }
  const double mean_abs = sum_abs / static_cast<double>(rows.size());
  std::printf("%zu rows: mean |error| %.1f%%, max |error| %.1f%% (error = (predicted - measured) / measured)\n",
              rows.size(), 100 * mean_abs, 100 * max_abs);
  if (!output.empty()) {
    const std::string tmp = temporary_path(output);
    {
      std::ofstream out(tmp);
      out << nlohmann::json{{"measured", files[0]}, {"rows", out_rows}, {"mean_abs_relative_error", mean_abs},
                            {"max_abs_relative_error", max_abs}}
                 .dump(2)
          << "\n";
      out.close();
      if (!out) throw std::runtime_error(output + ": writing failed (does its folder exist?)");
    }
    replace_atomically(tmp, output);
  }
  return exit_ok;
}

}  // namespace pase::cli
