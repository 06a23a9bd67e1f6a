#include <fstream>
#include <iostream>

#include "pase/cli/commands.hpp"
#include "pase/cli/file_arguments.hpp"
#include "pase/cli/options.hpp"
#include "pase/io/output_path.hpp"
#include "pase/sweep/results_file.hpp"
#include "pase/sweep/csv_export.hpp"

namespace pase::cli {

int export_command(int argc, char** argv) {
  po::options_description options("Export");
  options.add_options()
      ("csv", po::value<std::string>(), "write the table as CSV to this file ('-' for stdout)")
      ("strategies", "add a 'strategy' column: every layer's chosen configuration, as JSON");
  options.add(training_options());
  po::variables_map vm;
  std::vector<std::string> files;
  if (!parse_with_files(argc, argv, options,
                        "Usage: pase export RESULTS.h5 --csv out.csv [--strategies] [--tokens N | --samples N | --steps N]\n"
                        "                   [--price-per-device-hour [CLUSTER=]X]...\n"
                        "Writes a sweep's results table as CSV: one row per point, one column per axis as named in\n"
                        "the spec (model, procs, flops, bw, batch, ...) and the results; with a training amount, the time to\n"
                        "train and its cost (as pase report).",
                        vm, "RESULTS.h5", 1, 1, files))
    return exit_ok;
  if (!vm.count("csv")) throw po::error("--csv: missing; name the CSV file to write ('-' for stdout)");
  const std::string path = vm["csv"].as<std::string>();
  check_output_path("--csv", path, files);
  const ResultsTable table = read_results_file(files[0]);
  const bool strategies = vm.count("strategies") > 0;
  TrainingColumns columns{training_amount_from(vm), device_prices_from(vm)};
  const TrainingColumns* training = columns.amount.given() ? &columns : nullptr;
  if (path == "-") {
    write_csv(std::cout, table, strategies, training);
    return exit_ok;
  }
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write the CSV file (does its folder exist?)");
  write_csv(out, table, strategies, training);
  out.close();
  if (!out) throw std::runtime_error(path + ": writing the CSV file failed");
  std::cerr << "pase export: " << table.rows.size() << " rows of " << table.meta.point_count << " points to " << path
            << "\n";
  return exit_ok;
}

}  // namespace pase::cli
