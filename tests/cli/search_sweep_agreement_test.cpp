// The same settings through `pase search` (search_command, in this process) and as a sweep point
// (PointRunner) give the same total, the same strategy and the same memory verdict: both run the one
// pipeline and the one memory policy (src/pipeline/). The caps are set at the verdict's byte count
// and one byte below it, so a caller that counted other bytes (only the DP tables, say) would
// disagree with the other at one of them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"
#include "pase/pipeline/search_pipeline.hpp"
#include "pase/sweep/point_runner.hpp"
#include "pase/sweep/sweep_points.hpp"
#include "pase/sweep/sweep_spec.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

struct Case {
  std::string model;
  std::string procs, flops, bw;
  std::string prune = "auto";
  std::string blocks = "none";
};

std::string model_path(const Case& c) { return std::string(PASE_SOURCE_DIR) + "/inputs/" + c.model + ".json"; }

std::vector<std::string> search_arguments(const Case& c, const std::vector<std::string>& more) {
  std::vector<std::string> args{"search", model_path(c), "--procs", c.procs, "--flops", c.flops, "--bw", c.bw,
                                "--prune", c.prune, "--blocks", c.blocks};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

int search(MpiRuntime& mpi, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return cli::search_command(static_cast<int>(argv.size()), argv.data(), mpi);
}

// The verdict's bytes for these settings on one rank, as the command line builds them.
std::uint64_t verdict_bytes(const Case& c) {
  std::vector<std::string> args = search_arguments(c, {"--max-memory", "0"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  cli::po::variables_map vm;
  EXPECT_TRUE(cli::parse(static_cast<int>(argv.size()), argv.data(), cli::problem_options(), "", vm));
  const SearchSettings settings = cli::settings_from(vm, model_path(c), 1);
  return memory_verdict(settings, plan_search(settings), 1).peak_bytes;
}

SweepSpec one_point_spec(const test::TempDir& dir, const Case& c) {
  const std::string path = dir.file("one.yaml");
  test::write_file(path, "format: pase-sweep\nversion: 1\nname: one\nmodels:\n  - file: " + model_path(c) +
                             "\naxes:\n  procs: [" + c.procs + "]\n  flops: [" + c.flops + "]\n  bw: [" + c.bw +
                             "]\nsearch:\n  prune: " + c.prune + "\n  blocks: " + c.blocks + "\n");
  return load_sweep_spec(path);
}

class SearchSweepAgreement : public ::testing::TestWithParam<Case> {};

TEST_P(SearchSweepAgreement, same_result_and_same_memory_verdict) {
  const Case c = GetParam();
  test::TempDir dir;
  int argc = 0;
  char** argv = nullptr;
  MpiRuntime mpi(argc, argv);  // not under a launcher: one process, no MPI
  const SweepSpec spec = one_point_spec(dir, c);
  const std::vector<SweepPoint> points = enumerate_points(spec);
  ASSERT_EQ(points.size(), 1u);
  const std::uint64_t bytes = verdict_bytes(c);
  ASSERT_GT(bytes, 0u);

  // At the verdict's bytes both accept, with the same total and strategy.
  const std::string json = dir.file("search.json");
  ASSERT_EQ(search(mpi, search_arguments(c, {"--max-memory", std::to_string(bytes), "-q", "-o", json})), 0);
  const nlohmann::json report = nlohmann::json::parse(test::read_file(json));
  nlohmann::ordered_json strategy = nlohmann::ordered_json::object();
  for (const auto& layer : report["layers"]) strategy[layer["name"].get<std::string>()] = layer["config"];
  PointRunner fits(spec, points, bytes);
  const SweepRow row = fits.run(0);
  ASSERT_EQ(row.status, "ok") << row.message;
  EXPECT_EQ(row.total_cost, report["total_cost"].get<double>());
  EXPECT_EQ(row.strategy, strategy.dump());

  // One byte less: both refuse.
  EXPECT_THROW(search(mpi, search_arguments(c, {"--max-memory", std::to_string(bytes - 1), "-q"})),
               MemoryLimitExceeded);
  PointRunner refuses(spec, points, bytes - 1);
  EXPECT_EQ(refuses.run(0).status, "memory_limit");
}

INSTANTIATE_TEST_SUITE_P(Models, SearchSweepAgreement,
                         ::testing::Values(Case{"inception3", "8", "10", "16"}, Case{"alexnet", "16", "40", "64"},
                                           Case{"rnnlm", "32", "10", "8"}, Case{"transformer", "16", "10", "16", "dominance"},
                                           Case{"gpt", "8", "10", "16", "auto", "auto"}),
                         [](const auto& test_case) {
                           const Case& c = test_case.param;
                           return c.model + "_" + c.prune + (c.blocks == "none" ? "" : "_blocks_" + c.blocks);
                         });

// search.blocks reaches the point's pipeline: the repeated blocks are reduced (fewer DP cells in the
// row) and the optimum is the unreduced one's.
TEST(SweepBlocks, search_blocks_auto_reduces_a_sweep_point_exactly) {
  test::TempDir dir;
  Case reduced{"gpt", "8", "10", "16", "auto", "auto"}, whole{"gpt", "8", "10", "16", "auto", "none"};
  const SweepSpec spec_reduced = one_point_spec(dir, reduced);
  ASSERT_EQ(spec_reduced.blocks, BlockMode::automatic);
  const SweepSpec spec_whole = one_point_spec(dir, whole);
  ASSERT_EQ(spec_whole.blocks, BlockMode::never);
  const auto points = enumerate_points(spec_reduced);
  const SweepRow a = PointRunner(spec_reduced, points, 0).run(0);
  const SweepRow b = PointRunner(spec_whole, enumerate_points(spec_whole), 0).run(0);
  ASSERT_EQ(a.status, "ok") << a.message;
  ASSERT_EQ(b.status, "ok") << b.message;
  EXPECT_LT(a.dp_cells * 10, b.dp_cells);  // gpt p=8: 6357048 DP cells -> 30912 and the blocks' 506058
  EXPECT_DOUBLE_EQ(a.total_cost, b.total_cost);
}

}  // namespace
}  // namespace pase
