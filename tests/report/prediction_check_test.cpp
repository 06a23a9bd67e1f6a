// pase check-prediction's pieces: the measured-steps CSV and the prediction of a given strategy.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "pase/cluster/hardware_cluster.hpp"
#include "pase/model/model_file.hpp"
#include "pase/model/strategy_step.hpp"
#include "pase/report/prediction_check.hpp"

namespace pase {
namespace {

namespace fs = std::filesystem;

const std::string kModel = std::string(PASE_SOURCE_DIR) + "/tests/profiler/mlp.json";

SearchSettings settings_for(const std::string& model, std::int64_t procs) {
  SearchSettings s;
  s.model_file = model;
  s.problem.procs = procs;
  s.problem.hardware.emplace(cluster::load_cluster("dgx-a100"), cluster::Precision::kFp32);
  s.dp.threads = 1;
  return s;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("pase_prediction_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

std::string error_of(const std::string& csv) {
  try {
    read_measured_steps(csv);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// The report's evaluation of the found strategy and of data parallelism is hardware_step's.
TEST(PredictionCheckTest, hardware_step_is_the_reports_step_time) {
  for (const std::string& model : {kModel, std::string(PASE_SOURCE_DIR) + "/inputs/alexnet.json"}) {
    const SearchSettings s = settings_for(model, 8);
    const SearchRun run = run_search(s);
    const SearchReport report = make_report(s, run);
    EXPECT_EQ(hardware_step(run.model, run.model.data_parallel).step_time_s(), report.data_parallel_step_time_s);
    const auto& chosen = report.data_parallel_chosen ? run.model.data_parallel : run.solution.configs;
    EXPECT_EQ(hardware_step(run.model, chosen).step_time_s(), report.step_time_s);
  }
}

TEST(PredictionCheckTest, a_strategy_file_data_parallel_and_search_predict_what_the_report_says) {
  TempDir dir;
  const SearchSettings s = settings_for(kModel, 4);
  const SearchReport report = make_report(s, run_search(s));
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : report.layers) layers.push_back({{"name", l.name}, {"config", l.config}});
  dir.write("found.json", nlohmann::json{{"layers", layers}}.dump());
  const std::string csv = dir.write("steps.csv",
                                    "# measured steps\nmodel,strategy,cluster,devices,measured_s\n" + kModel +
                                        ",found.json,dgx-a100,4,0.002\n" + kModel + ",data_parallel,dgx-a100,4,0.004\n" +
                                        kModel + ",search,dgx-a100,4,0.001\n");
  const auto rows = read_measured_steps(csv);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].line, 3);
  EXPECT_EQ(rows[0].strategy, (dir.path / "found.json").string());
  const PredictedStep file = predict_step(rows[0], s), dp = predict_step(rows[1], s), search = predict_step(rows[2], s);
  EXPECT_EQ(file.predicted.step_time_s(), report.step_time_s);
  EXPECT_EQ(search.predicted.step_time_s(), report.step_time_s);
  EXPECT_EQ(dp.predicted.step_time_s(), report.data_parallel_step_time_s);
  EXPECT_DOUBLE_EQ(file.relative_error, (report.step_time_s - 0.002) / 0.002);
}

TEST(PredictionCheckTest, bad_rows_and_strategy_files_are_refused_naming_line_and_field) {
  TempDir dir;
  const std::string header = "model,cluster,devices,strategy,measured_s\n";
  EXPECT_NE(error_of(dir.write("a.csv", "model,cluster,devices,strategy\n")).find("no column 'measured_s'"),
            std::string::npos);
  EXPECT_NE(error_of(dir.write("b.csv", header + kModel + ",dgx-a100,4,data_parallel,0\n"))
                .find("b.csv: line 2: field 'measured_s'"),
            std::string::npos);
  EXPECT_NE(error_of(dir.write("c.csv", header + kModel + ",dgx-a100,4x,data_parallel,1\n")).find("field 'devices'"),
            std::string::npos);
  EXPECT_NE(error_of(dir.write("d.csv", header)).find("no rows"), std::string::npos);
  EXPECT_NE(error_of(dir.write("e.csv", "model,cluster,devices,strategy,measured_s,speed\n")).find("unknown column 'speed'"),
            std::string::npos);
  EXPECT_NE(error_of(dir.write("f.csv", header + kModel + ",dgx-a100,4,data_parallel,1,x=1\n")).find("has 6 fields"),
            std::string::npos);

  dir.write("short.json", R"({"layers": [{"name": "fc1", "config": [1, 4, 1]}]})");
  dir.write("wrong.json", R"({"layers": [{"name": "fc1", "config": [1, 4, 1]}, {"name": "fc2", "config": [3, 1, 1]},
                                          {"name": "loss", "config": [1, 1]}]})");
  const SearchSettings s = settings_for(kModel, 4);
  for (const auto& [file, expect] : {std::pair{"short.json", "field 'layers': 1 layers"},
                                     std::pair{"wrong.json", "field 'layers[1].config': [3,1,1]"}}) {
    const auto rows = read_measured_steps(dir.write("g.csv", header + kModel + ",dgx-a100,4," + file + ",1\n"));
    try {
      predict_step(rows[0], s);
      ADD_FAILURE() << file << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(expect), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace pase
