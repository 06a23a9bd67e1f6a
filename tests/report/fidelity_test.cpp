// The hardware model against the measured speedups of the PaSE paper's Fig. 6 (1080Ti cluster):
// tests/data/fidelity/fig6_1080ti.json, copied from the paper's bars.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/report/search_report.hpp"

namespace pase {
namespace {

SearchSettings settings_for(const std::string& model, std::int64_t procs, const std::string& cluster_name) {
  SearchSettings s;
  s.model_file = std::string(PASE_SOURCE_DIR) + "/inputs/" + model + ".json";
  s.problem.procs = procs;
  s.problem.hardware.emplace(cluster::load_cluster(cluster_name), cluster::Precision::kFp32);
  s.dp.threads = 1;
  return s;
}

struct Prediction {
  double searched = 0;  // the strategy the hardware model's search finds
  double paper = 0;     // the strategy the paper model finds (what PaSE ran), priced by the hardware model
};

Prediction predict(const std::string& model, std::int64_t procs, const std::string& cluster_name) {
  const SearchSettings s = settings_for(model, procs, cluster_name);
  SearchRun run = run_search(s);
  Prediction p;
  p.searched = make_report(s, run).speedup_over_data_parallel;
  // The paper model with the device's fp32 peak and the PCIe link, as `--cost-model paper` sets it.
  SearchSettings paper = s;
  const auto& hw = s.problem.hardware->cluster();
  paper.problem.cluster = Cluster{hw.device.peak_flop_per_s.at(cluster::Precision::kFp32) / 1e12,
                                  hw.intra_node.bytes_per_s / 1e9};
  paper.problem.hardware.reset();
  run.solution.configs = run_search(paper).solution.configs;
  p.paper = make_report(s, run).speedup_over_data_parallel;
  return p;
}

bool within_25_percent(double predicted, double measured) { return std::abs(predicted / measured - 1.0) <= 0.25; }

// The target is 16 of 20 bars within 25% and AlexNet and RNNLM falling past one node. The
// model, calibrated with physical numbers only, does not reach it (src/cluster/README.md,
// "Fidelity"): this test keeps what it reaches from getting worse and prints the table.
TEST(FidelityTest, fig6_1080ti_speedups_do_not_get_worse) {
  std::ifstream in(std::string(PASE_SOURCE_DIR) + "/tests/data/fidelity/fig6_1080ti.json");
  ASSERT_TRUE(in);
  const auto doc = nlohmann::json::parse(in);
  const auto procs = doc.at("procs").get<std::vector<std::int64_t>>();
  int searched_within = 0, paper_within = 0, bars = 0;
  std::string table;
  for (const auto& [model, measured] : doc.at("speedup_over_data_parallel").items()) {
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const double m = measured.at(i).get<double>();
      const Prediction p = predict(model, procs[i], "paper-1080ti");
      ++bars;
      searched_within += within_25_percent(p.searched, m);
      paper_within += within_25_percent(p.paper, m);
      char line[200];
      std::snprintf(line, sizeof line, "| %s | %lld | %.2f | %.2f | %.2f | %.2f | %.2f |\n", model.c_str(),
                    static_cast<long long>(procs[i]), m, p.searched, p.searched / m, p.paper, p.paper / m);
      table += line;
    }
  }
  std::printf("| model | p | measured | searched | ratio | paper strategy | ratio |\n%s"
              "within 25%%: searched %d of %d, paper strategy %d of %d\n",
              table.c_str(), searched_within, bars, paper_within, bars);
  EXPECT_EQ(bars, 20);
  EXPECT_GE(searched_within, 11) << table;
  EXPECT_GE(paper_within, 12) << table;
}

}  // namespace
}  // namespace pase
