#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"
#include "pase/pipeline/search_pipeline.hpp"

namespace pase::cli {

namespace {

struct BenchRow {
  std::string model;
  std::int64_t procs = 0;
  double build_s = 0, search_s = 0, largest_step_s = 0;
  std::uint64_t cells = 0, largest_step_cells = 0;
  double reference_s = 0;  // 0: none
};

// The prototype's own search time for this model and device count, if the reference folder has it.
double reference_seconds(const std::string& folder, const std::string& model, std::int64_t procs) {
  const auto path = std::filesystem::path(folder) / (model + "_p" + std::to_string(procs) + ".json");
  std::ifstream in(path);
  if (!in) return 0.0;
  try {
    return nlohmann::json::parse(in).value("reference_search_seconds", 0.0);
  } catch (const std::exception&) {
    return 0.0;
  }
}

BenchRow bench_one(const po::variables_map& vm, const std::string& model, std::int64_t procs, int repeat) {
  SearchSettings settings = settings_from(vm, vm["inputs"].as<std::string>() + "/" + model + ".json", 1);
  settings.problem.procs = procs;
  BenchRow row{model, procs};
  row.search_s = row.largest_step_s = row.build_s = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const SearchRun run = run_search(settings);
    row.build_s = std::min(row.build_s, run.build_seconds);
    row.search_s = std::min(row.search_s, run.search_seconds);
    row.largest_step_s = std::min(row.largest_step_s, run.solution.largest_step_seconds);
    row.cells = run.solution.dp_cells;
    row.largest_step_cells = run.solution.largest_step_cells;
  }
  row.reference_s = reference_seconds(vm["reference"].as<std::string>(), model, procs);
  return row;
}

void print_row(const BenchRow& r) {
  char ratio[32] = "-";
  if (r.reference_s > 0) std::snprintf(ratio, sizeof ratio, "%.0fx", r.reference_s / r.search_s);
  std::printf("%-12s %5lld %10.4f %10.6f %14llu %8.3f %14llu %8.3f %10s %9s\n", r.model.c_str(),
              static_cast<long long>(r.procs), r.build_s, r.search_s, static_cast<unsigned long long>(r.cells),
              r.cells ? r.search_s * 1e9 / static_cast<double>(r.cells) : 0.0,
              static_cast<unsigned long long>(r.largest_step_cells),
              r.largest_step_cells ? r.largest_step_s * 1e9 / static_cast<double>(r.largest_step_cells) : 0.0,
              r.reference_s > 0 ? std::to_string(r.reference_s).substr(0, 8).c_str() : "-", ratio);
  std::fflush(stdout);
}

}  // namespace

int bench_command(int argc, char** argv, MpiRuntime&) {
  auto options = problem_options();
  options.add_options()
      ("models", po::value<std::vector<std::string>>()->multitoken()->default_value(
           {"alexnet", "resnet101", "inception3", "rnnlm", "transformer"}, "the five networks"),
       "model names (files INPUTS/NAME.json)")
      ("procs-list", po::value<std::vector<std::int64_t>>()->multitoken()->default_value({4, 8, 16, 32, 64}, "4 8 16 32 64"),
       "device counts")
      ("repeat", po::value<int>()->default_value(3), "runs per point; the fastest is reported")
      ("inputs", po::value<std::string>()->default_value("inputs"), "folder of the model files")
      ("reference", po::value<std::string>()->default_value("tests/reference"),
       "folder of the prototype's results (MODEL_pP.json) for the speed ratio");
  po::variables_map vm;
  if (!parse(argc, argv, options,
             "Usage: pase bench [options]\n"
             "Times the search (ordering, DP, back-substitution; one thread) of shipped networks. Building the\n"
             "cost tables is reported separately. 'ns/cell' is search time per DP cell; 'largest' is the step\n"
             "with the most cells, timed alone.",
             vm, false))
    return exit_ok;
  const int repeat = vm["repeat"].as<int>();
  if (repeat < 1 || repeat > 1000)
    throw std::invalid_argument("--repeat " + std::to_string(repeat) + ": must be from 1 to 1000 runs per point");
  std::printf("%-12s %5s %10s %10s %14s %8s %14s %8s %10s %9s\n", "model", "procs", "build_s", "search_s", "dp_cells",
              "ns/cell", "largest_cells", "ns/cell", "ref_s", "vs_ref");
  for (const auto& model : vm["models"].as<std::vector<std::string>>())
    for (auto procs : vm["procs-list"].as<std::vector<std::int64_t>>()) print_row(bench_one(vm, model, procs, repeat));
  return exit_ok;
}

}  // namespace pase::cli
