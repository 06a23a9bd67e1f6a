#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pase/cli/commands.hpp"
#include "pase/cli/file_arguments.hpp"
#include "pase/cli/options.hpp"
#include "pase/cluster/calibration.hpp"
#include "pase/io/atomic_replace.hpp"
#include "pase/io/output_path.hpp"

namespace pase::cli {

namespace {

// The base's pase-cluster text (a preset's or a file's), for the device name and the sources.
std::string base_text(const std::string& name_or_file) {
  for (const std::string& name : cluster::preset_names())
    if (name == name_or_file) return cluster::preset_text(name);
  std::ifstream in(name_or_file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * fraction);
  return text;
}

}  // namespace

int calibrate_command(int argc, char** argv) {
  po::options_description options("Calibrate");
  options.add_options()
      ("cluster", po::value<std::string>(), "the base: a preset or pase-cluster file whose datasheet numbers are kept")
      ("output", po::value<std::string>(), "the fitted pase-cluster file to write")
      ("name", po::value<std::string>(), "the fitted cluster's name (default: BASE-calibrated)");
  po::variables_map vm;
  std::vector<std::string> files;
  if (!parse_with_files(argc, argv, options,
                        "Usage: pase calibrate MEASUREMENTS.json --cluster BASE --output FITTED.json\n"
                        "Fits BASE's efficiency curves and each tier's latency and efficiency to the times\n"
                        "pase_profile.py measured (least squares on relative time error), prints the fit's error\n"
                        "per kind of measurement and writes the fitted cluster file.",
                        vm, "MEASUREMENTS.json", 1, 1, files))
    return exit_ok;
  if (!vm.count("cluster")) throw po::error("--cluster: missing; name the base preset or cluster file");
  if (!vm.count("output")) throw po::error("--output: missing; name the cluster file to write");
  const std::string output = vm["output"].as<std::string>();
  check_output_path("--output", output, {files[0], vm["cluster"].as<std::string>()});

  const cluster::Measurements measured = cluster::read_measurements(files[0]);
  const std::string base_name = vm["cluster"].as<std::string>();
  const cluster::HardwareCluster base = cluster::load_cluster(base_name);
  cluster::Calibration fit = cluster::calibrate(measured, base, base_name);
  fit.cluster.name = vm.count("name") ? vm["name"].as<std::string>() : base.name + "-calibrated";

  const auto base_doc = nlohmann::json::parse(base_text(base_name));
  std::vector<std::pair<std::string, std::string>> sources;
  for (const auto& [key, value] : base_doc.at("sources").items())
    sources.push_back({key, value.is_string() ? value.get<std::string>() : value.dump()});
  sources.push_back({"calibration",
                     "pase calibrate of " + files[0] + " (pase_profile.py on " + measured.host + ", " +
                         measured.device + ", torch " + measured.torch + ", " + measured.written +
                         "): efficiency curves, tier latencies, efficiencies and overlap compute losses fitted; peaks, memory capacity "
                         "and link peaks from " + base_name});
  const std::string tmp = temporary_path(output);
  {
    std::ofstream out(tmp);
    out << cluster::cluster_file_text(fit.cluster, base_doc.at("device").at("name").get<std::string>(), sources);
    out.close();
    if (!out) throw std::runtime_error(output + ": writing the cluster file failed (does its folder exist?)");
  }
  replace_atomically(tmp, output);

  std::cout << "calibrated " << fit.cluster.name << " from " << measured.entries.size() << " measurements of "
            << files[0] << " (" << measured.skipped << " skipped by the profiler)\n";
  std::cout << "kind                         n   rms error   max error\n";
  for (const auto& e : fit.errors) {
    char line[128];
    std::snprintf(line, sizeof line, "%-26s %3d %11s %11s\n", e.kind.c_str(), e.count, percent(e.rms_relative).c_str(),
                  percent(e.max_relative).c_str());
    std::cout << line;
  }
  const auto& t = fit.cluster;
  std::cout << "intra_node latency " << t.intra_node.latency_s << " s, efficiency " << t.intra_node.efficiency
            << " of " << t.intra_node.bytes_per_s << " B/s; inter_node latency " << t.inter_node.latency_s
            << " s, efficiency " << t.inter_node.efficiency << " of " << t.inter_node.bytes_per_s << " B/s\n";
  std::cout << "overlap_compute_loss (compute a hidden all-reduce takes, per second of its own): intra_node "
            << t.intra_node.overlap_compute_loss << ", inter_node " << t.inter_node.overlap_compute_loss << "\n";
  for (const auto& note : fit.notes) std::cout << "note: " << note << "\n";
  std::cout << "wrote " << output << "\n";
  return exit_ok;
}

}  // namespace pase::cli
