// `pase evaluate` as a separate process: a search's strategy evaluated again gives the search's step
// time and memory; a Megatron-LM setup's JSON has the pipeline's stages, micro-batches and bubble;
// bad --megatron strings exit 2 with one line saying what to change.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/commands.hpp"

namespace pase {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> tiny = {"--set", "layers=2", "--set", "batch=64", "--set", "seq=512",
                                       "--cluster", "dgx-a100", "--procs", "8", "--precision", "bf16"};

std::string model() { return test::source_dir() + "/inputs/gpt.json"; }

test::CommandResult pase(std::vector<std::string> args) { return test::run_command(test::pase_command(1, args)); }

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(EvaluateCli, TheStrategyOfASearchGivesTheSearchsStepTimeAndMemory) {
  const test::TempDir dir;
  // Without and with a capacity that constrains the search.
  for (const std::vector<std::string>& memory : {std::vector<std::string>{}, {"--memory-per-device", "2.75G"}}) {
    const std::string search = dir.file("search.json"), evaluated = dir.file("evaluated.json");
    const auto found = pase(with(with({"search", model(), "-q", "-o", search}, tiny), memory));
    ASSERT_EQ(found.exit_code, 0) << found.err;
    const auto again = pase({"evaluate", "--strategy", search, "-o", evaluated});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    const Json a = Json::parse(test::read_file(search)), b = Json::parse(test::read_file(evaluated));
    EXPECT_NEAR(b["step_time_s"].get<double>(), a["step_time_s"].get<double>(), 1e-12 * a["step_time_s"].get<double>());
    EXPECT_NEAR(b["step_breakdown"]["compute_s"].get<double>(), a["step_breakdown"]["compute_s"].get<double>(), 1e-15);
    EXPECT_EQ(b["memory"]["per_device_bytes"], a["memory"]["per_device_bytes"]);
    EXPECT_EQ(b["memory"]["capacity_bytes"], a["memory"]["capacity_bytes"]);
    EXPECT_TRUE(b["fits"].get<bool>());
    EXPECT_TRUE(b["pipeline"].is_null());
  }
}

TEST(EvaluateCli, AMegatronSetupReportsItsPipeline) {
  const test::TempDir dir;
  const std::string out = dir.file("megatron.json");
  const auto r = pase(with({"evaluate", model(), "--megatron", "tp=2,pp=2,dp=2,microbatch=4,recompute=selective", "-o", out},
                           {"--set", "layers=4", "--set", "batch=64", "--set", "seq=512", "--cluster", "dgx-a100",
                            "--precision", "bf16"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("bubble"), std::string::npos);
  const Json j = Json::parse(test::read_file(out));
  EXPECT_EQ(j["procs"], 8);
  EXPECT_EQ(j["pipeline"]["stages"].size(), 2u);
  EXPECT_EQ(j["pipeline"]["microbatches"], 8);  // 64 / (2 replicas x 4)
  EXPECT_DOUBLE_EQ(j["pipeline"]["bubble_fraction"].get<double>(), 1.0 / 8.0);
  EXPECT_EQ(j["pipeline"]["stages"][0]["in_flight_microbatches"], 2.0);
  EXPECT_EQ(j["pipeline"]["stages"][1]["in_flight_microbatches"], 1.0);
  EXPECT_GT(j["step_time_s"].get<double>(), j["pipeline"]["pipeline_time_s"].get<double>() * 0.999);
  double largest = 0;
  for (const auto& s : j["pipeline"]["stages"]) largest = std::max(largest, s["memory_bytes_per_device"].get<double>());
  EXPECT_EQ(j["memory"]["per_device_bytes"].get<double>(), largest);
  EXPECT_TRUE(j["fits"].is_boolean());
  EXPECT_GT(j["model_flop_utilization"].get<double>(), 0.0);
  EXPECT_LT(j["model_flop_utilization"].get<double>(), 1.0);
}

// The search's Megatron-LM baseline is the setup pase evaluate prices the same.
TEST(EvaluateCli, TheSearchsMegatronBaselineIsWhatEvaluateGivesForItsSetup) {
  const test::TempDir dir;
  const std::string search = dir.file("search.json"), evaluated = dir.file("evaluated.json");
  const auto found = pase(with({"search", model(), "-q", "-o", search}, tiny));
  ASSERT_EQ(found.exit_code, 0) << found.err;
  const Json a = Json::parse(test::read_file(search));
  ASSERT_EQ(a["baselines"].size(), 3u);
  const Json& megatron = a["baselines"][2];
  EXPECT_EQ(megatron["name"], "megatron");
  const auto again = pase(with({"evaluate", model(), "--megatron", megatron["setup"].get<std::string>(), "-o", evaluated}, tiny));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const Json b = Json::parse(test::read_file(evaluated));
  EXPECT_DOUBLE_EQ(b["step_time_s"].get<double>(), megatron["step_time_s"].get<double>());
  EXPECT_DOUBLE_EQ(b["memory"]["per_device_bytes"].get<double>(), megatron["memory_per_device_bytes"].get<double>());
  EXPECT_EQ(b["fits"], megatron["fits"]);
  // --megatron auto is the same rule.
  const auto rule = pase(with({"evaluate", model(), "--megatron", "auto", "-o", evaluated}, tiny));
  ASSERT_EQ(rule.exit_code, 0) << rule.err;
  const Json c = Json::parse(test::read_file(evaluated));
  EXPECT_EQ(c["setup"].get<std::string>().rfind("megatron " + megatron["setup"].get<std::string>() + " (", 0), 0u)
      << c["setup"];
  EXPECT_DOUBLE_EQ(c["step_time_s"].get<double>(), megatron["step_time_s"].get<double>());
  // The best baseline that fits sets speedup_over_best_baseline.
  double best = 0;
  for (const auto& x : a["baselines"])
    if (x["fits"].get<bool>() && (best == 0 || x["step_time_s"].get<double>() < best)) best = x["step_time_s"].get<double>();
  ASSERT_GT(best, 0.0);
  EXPECT_DOUBLE_EQ(a["speedup_over_best_baseline"].get<double>(), best / a["step_time_s"].get<double>());
}

TEST(EvaluateCli, BadMegatronStringsExitTwoWithOneLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tp=2,pp=2,dp=2,microbatch=4,colour=red", "unknown key 'colour'"},
      {"tp=5,pp=1,dp=1", "does not divide the 12 attention heads"},
      {"tp=2,pp=2,dp=1,microbatch=4", "tp·pp·dp = 2·2·1 = 4 devices, but --procs is 8; use dp=2"},
      {"tp=1,pp=8,dp=1,microbatch=4", "more than the 4 transformer layers"},
      {"tp=2,pp=2,dp=2,microbatch=5", "does not divide the batch of 64"},
      {"tp=2,pp=2,dp=2,recompute=half", "none, selective or full"},
      {"tp=2,pp=2,dp=2,interleave=2,microbatch=32", "multiple of pp=2"},
  };
  for (const auto& [setup, says] : cases) {
    const auto r = pase({"evaluate", model(), "--megatron", setup, "--set", "layers=4", "--set", "batch=64", "--cluster",
                         "dgx-a100", "--procs", "8"});
    SCOPED_TRACE(setup);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--megatron: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // Neither or both of --megatron and --strategy; a damaged strategy file.
  EXPECT_EQ(pase({"evaluate", model(), "--cluster", "dgx-a100"}).exit_code, 2);
  const test::TempDir dir;
  test::write_file(dir.file("bad.json"), "{\"file\": 3}");
  const auto bad = pase({"evaluate", "--strategy", dir.file("bad.json")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("field 'file'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace pase
