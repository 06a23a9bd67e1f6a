// `pase search --stages`: bad values exit 2 naming the option, auto writes the pipeline in JSON.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>

namespace {

struct Outcome {
  int code = -1;
  std::string output;
};

Outcome run(const std::string& args) {
  const std::string command = std::string(PASE_BINARY) + " " + args + " 2>&1";
  Outcome out;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) out.output += buffer;
  const int status = pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

const std::string tiny = std::string(PASE_SOURCE_DIR) +
                         "/inputs/gpt.json --set layers=2 --set seq=64 --set d_model=32 --set heads=4 --set d_ff=128 "
                         "--set vocab=96 --set batch=8";

TEST(StagesCli, AnUnknownValueIsNamed) {
  const Outcome o = run("search " + tiny + " --stages sometimes");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("--stages: unknown value 'sometimes'"), std::string::npos) << o.output;
}

TEST(StagesCli, AutoNeedsTheHardwareModel) {
  const Outcome o = run("search " + tiny + " --procs 2 --stages auto");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("--stages auto: needs the hardware cost model"), std::string::npos) << o.output;
}

TEST(StagesCli, AutoWritesThePipeline) {
  const std::string file = (std::filesystem::temp_directory_path() / ("stages_cli_" + std::to_string(getpid()) + ".json")).string();
  const Outcome o = run("search " + tiny + " --cluster dgx-a100 --precision bf16 --procs 4 --stages auto -o " + file);
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("stages auto:"), std::string::npos) << o.output;
  std::ifstream in(file);
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::filesystem::remove(file);
  const auto& p = doc.at("pipeline");
  ASSERT_TRUE(p.at("stages").is_array());
  int devices = 0, next = 0;
  for (const auto& s : p.at("stages")) {
    EXPECT_EQ(s.at("first_layer").get<int>(), next);
    next = s.at("last_layer").get<int>() + 1;
    devices += s.at("devices").get<int>();
    EXPECT_GT(s.at("microbatch_time_s").get<double>(), 0);
    EXPECT_GT(s.at("memory_bytes_per_device").get<double>(), 0);
  }
  EXPECT_EQ(devices * p.at("data_parallel").get<int>(), 4);
  EXPECT_GE(p.at("microbatches").get<int>(), 1);
  const double stages = static_cast<double>(p.at("stages").size());
  EXPECT_DOUBLE_EQ(p.at("bubble_fraction").get<double>(), (stages - 1) / p.at("microbatches").get<double>());
  EXPECT_GT(p.at("stage_search").at("stage_searches").get<int>(), 0);
  EXPECT_TRUE(doc.at("fits").get<bool>());
  // The Megatron-LM rule of thumb as the baseline, priced as pase evaluate --megatron auto prices it.
  EXPECT_NE(o.output.find("over the Megatron-LM rule of thumb (tp="), std::string::npos) << o.output;
  const Outcome rule = run("evaluate " + tiny + " --cluster dgx-a100 --precision bf16 --procs 4 --megatron auto -o " + file);
  ASSERT_EQ(rule.code, 0) << rule.output;
  std::ifstream rule_in(file);
  const nlohmann::json evaluated = nlohmann::json::parse(rule_in);
  std::filesystem::remove(file);
  const auto& baseline = doc.at("baselines").at(0);
  EXPECT_EQ(baseline.at("name"), "megatron");
  EXPECT_TRUE(baseline.at("fits").get<bool>());
  EXPECT_DOUBLE_EQ(baseline.at("step_time_s").get<double>(), evaluated.at("step_time_s").get<double>());
  EXPECT_DOUBLE_EQ(doc.at("speedup_over_best_baseline").get<double>(),
                   evaluated.at("step_time_s").get<double>() / doc.at("step_time_s").get<double>());
  EXPECT_GE(doc.at("speedup_over_best_baseline").get<double>(), 1.0);
}

}  // namespace
