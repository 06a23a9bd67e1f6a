// The same settings through `pase search` (search_command, in this process) and as a sweep point
// (PointRunner) give the same total, the same strategy and the same memory verdict: both run the one
// pipeline and the one memory policy (src/pipeline/). The caps are set at the verdict's byte count
// and one byte below it, so a caller that counted other bytes (only the DP tables, say) would
// disagree with the other at one of them.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pase/bytes.hpp"
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
  const SweepPoints points(spec);
  ASSERT_EQ(points.size(), 1u);
  const std::uint64_t bytes = verdict_bytes(c);
  ASSERT_GT(bytes, 0u);

  // At the verdict's bytes both accept, with the same total and strategy.
  const std::string json = dir.file("search.json");
  ASSERT_EQ(search(mpi, search_arguments(c, {"--max-memory", std::to_string(bytes), "-q", "-o", json})), 0);
  const nlohmann::json report = nlohmann::json::parse(test::read_file(json));
  nlohmann::ordered_json strategy = nlohmann::ordered_json::object();
  for (const auto& layer : report["layers"]) strategy[layer["name"].get<std::string>()] = layer["config"];
  PointRunner fits(points, bytes);
  const SweepRow row = fits.run(0);
  ASSERT_EQ(row.status, "ok") << row.message;
  EXPECT_EQ(row.total_cost, report["total_cost"].get<double>());
  EXPECT_EQ(row.strategy, strategy.dump());

  // One byte less: both refuse.
  EXPECT_THROW(search(mpi, search_arguments(c, {"--max-memory", std::to_string(bytes - 1), "-q"})),
               MemoryLimitExceeded);
  PointRunner refuses(points, bytes - 1);
  EXPECT_EQ(refuses.run(0).status, "memory_limit");
}

// The command line's settings and a sweep point's, both from build_settings: the same in every
// field, device memory included.
SearchSettings cli_settings(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  cli::po::variables_map vm;
  // pase search's own option besides the problem's (search_command.cpp).
  auto options = cli::problem_options();
  options.add_options()("stages", cli::po::value<std::string>()->default_value("none"), "");
  EXPECT_TRUE(cli::parse(static_cast<int>(argv.size()), argv.data(), options, "", vm));
  return cli::settings_from(vm, vm["model"].as<std::string>(), 1);
}

SearchSettings point_settings(const test::TempDir& dir, const std::string& spec_text) {
  const std::string path = dir.file("point.yaml");
  test::write_file(path, spec_text);
  const SweepSpec spec = load_sweep_spec(path);
  const SweepPoints points(spec);
  EXPECT_EQ(points.size(), 1u);
  return search_settings(spec, points.at(0));
}

void expect_same_search(const SearchSettings& a, const SearchSettings& b) {
  EXPECT_EQ(a.model_file, b.model_file);
  EXPECT_EQ(a.overrides, b.overrides);
  EXPECT_EQ(a.problem.procs, b.problem.procs);
  EXPECT_EQ(a.problem.cluster.flops_tflops, b.problem.cluster.flops_tflops);
  EXPECT_EQ(a.problem.cluster.bw_gbytes, b.problem.cluster.bw_gbytes);
  ASSERT_EQ(a.problem.hardware.has_value(), b.problem.hardware.has_value());
  if (a.problem.hardware) {
    EXPECT_EQ(a.problem.hardware->cluster().name, b.problem.hardware->cluster().name);
    EXPECT_EQ(a.problem.hardware->precision(), b.problem.hardware->precision());
  }
  EXPECT_EQ(a.problem.parallel_edges, b.problem.parallel_edges);
  EXPECT_EQ(a.problem.max_memory_bytes, b.problem.max_memory_bytes);
  EXPECT_EQ(a.max_memory_bytes, b.max_memory_bytes);
  EXPECT_EQ(a.order, b.order);
  EXPECT_EQ(a.prune, b.prune);
  EXPECT_EQ(a.blocks, b.blocks);
  EXPECT_EQ(a.stages, b.stages);
  EXPECT_EQ(a.dp.threads, b.dp.threads);
  EXPECT_EQ(a.dp.replicate_below_bytes, b.dp.replicate_below_bytes);
  EXPECT_EQ(a.device_memory.recipe.optimizer, b.device_memory.recipe.optimizer);
  EXPECT_EQ(a.device_memory.recipe.precision, b.device_memory.recipe.precision);
  EXPECT_EQ(a.device_memory.capacity_bytes, b.device_memory.capacity_bytes);
  EXPECT_EQ(a.device_memory.reserve_bytes, b.device_memory.reserve_bytes);
}

TEST(SearchSweepSettings, the_command_line_and_a_sweep_point_build_the_same_settings) {
  test::TempDir dir;
  const std::string model = model_path(Case{"transformer", "", "", ""});
  const std::string models = "format: pase-sweep\nversion: 1\nname: one\nmodels:\n  - file: " + model +
                             "\n    set: {batch: 32}\n";
  // The paper model, with a search memory cap.
  expect_same_search(cli_settings({"search", model, "--procs", "16", "--flops", "40", "--bw", "64", "--set",
                                   "batch=32", "--order", "minfill", "--prune", "none", "--max-memory", "3G",
                                   "--threads", "1"}),
                     point_settings(dir, models + "axes:\n  procs: [16]\n  flops: [40]\n  bw: [64]\nsearch:\n"
                                                  "  order: minfill\n  prune: none\n  max_memory: 3G\n"));
  // The hardware model; the default cap. Both check the cluster's device memory.
  const SearchSettings cli = cli_settings({"search", model, "--cluster", "dgx-a100", "--procs", "8", "--precision",
                                           "bf16", "--set", "batch=32", "--threads", "1"});
  const SearchSettings point =
      point_settings(dir, models + "axes:\n  cluster: [dgx-a100]\n  procs: [8]\nsearch:\n  precision: bf16\n");
  expect_same_search(cli, point);
  EXPECT_GT(cli.device_memory.capacity_bytes, 0);
  EXPECT_EQ(cli.stages, StageMode::none);
  // The stage search.
  const SearchSettings stages = cli_settings({"search", model, "--cluster", "dgx-a100", "--procs", "8", "--precision",
                                              "bf16", "--set", "batch=32", "--threads", "1", "--stages", "auto"});
  expect_same_search(stages, point_settings(dir, models + "axes:\n  cluster: [dgx-a100]\n  procs: [8]\nsearch:\n"
                                                          "  precision: bf16\n  stages: auto\n"));
  EXPECT_EQ(stages.stages, StageMode::automatic);
}

// `pase search --stages auto` and a sweep point with search.stages: auto run the same stage search:
// the same pipeline (stages, devices, replicas, micro-batches, bubble, recomputation, each stage's
// time and memory), step time, memory and baselines (data parallelism, the Megatron-LM rule).
TEST(SearchSweepStages, the_command_line_and_a_sweep_point_find_the_same_pipeline) {
  test::TempDir dir;
  int argc = 0;
  char** argv = nullptr;
  MpiRuntime mpi(argc, argv);
  const std::string model = std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json";
  // A small GPT whose fastest strategy on 4 A100s within 2 GiB a device is a 2-stage pipeline (2
  // replicas, 3 micro-batches of 5; the overrides sorted, as a point has them).
  const std::vector<std::string> sets{"batch=30", "d_ff=1024", "d_model=256", "heads=4", "layers=4", "seq=128", "vocab=512"};
  std::vector<std::string> args{"search", model, "--cluster", "dgx-a100", "--precision", "bf16", "--procs", "4",
                                "--memory-per-device", "2G", "--stages", "auto", "-q", "-o", dir.file("s.json")};
  std::string set_yaml;
  for (const auto& o : sets) {
    args.insert(args.begin() + 2, {"--set", o});
    set_yaml += (set_yaml.empty() ? "" : ", ") + o.substr(0, o.find('=')) + ": " + o.substr(o.find('=') + 1);
  }
  ASSERT_EQ(search(mpi, args), 0);
  const nlohmann::json doc = nlohmann::json::parse(test::read_file(dir.file("s.json")));
  const std::string path = dir.file("stages.yaml");
  test::write_file(path, "format: pase-sweep\nversion: 1\nname: stages\nmodels:\n  - file: " + model + "\n    set: {" +
                             set_yaml + "}\naxes:\n  cluster: [dgx-a100]\n  procs: [4]\nsearch:\n  precision: bf16\n"
                             "  memory_per_device: 2G\n  stages: auto\n");
  const SweepSpec spec = load_sweep_spec(path);
  const SweepRow row = PointRunner(SweepPoints(spec), 0).run(0);
  ASSERT_EQ(row.status, "ok") << row.message;
  const auto& p = doc.at("pipeline");
  const SweepRowPipeline& rp = row.pipeline;
  EXPECT_EQ(row.step_time_s, doc.at("step_time_s").get<double>());
  EXPECT_EQ(row.memory.memory_per_device_bytes, doc.at("memory").at("per_device_bytes").get<double>());
  EXPECT_EQ(row.memory.capacity_bytes, doc.at("memory").at("capacity_bytes").get<double>());
  EXPECT_EQ(rp.stages, static_cast<std::int64_t>(p.at("stages").size()));
  EXPECT_EQ(rp.stage_devices, p.at("stage_devices").get<std::int64_t>());
  EXPECT_EQ(rp.replicas, p.at("data_parallel").get<std::int64_t>());
  EXPECT_EQ(rp.microbatches, p.at("microbatches").get<std::int64_t>());
  EXPECT_EQ(rp.microbatch_size, p.at("microbatch_size").get<std::int64_t>());
  EXPECT_EQ(rp.bubble_fraction, p.at("bubble_fraction").get<double>());
  EXPECT_EQ(rp.recompute, p.at("recompute").get<std::string>());
  EXPECT_EQ(rp.sequence_parallel, p.at("sequence_parallel").get<bool>());
  EXPECT_GT(rp.stages, 1) << "the case is meant to have several stages: pick a model whose best strategy has";
  const nlohmann::json table = nlohmann::json::parse(rp.stage_table);
  ASSERT_EQ(table.size(), p.at("stages").size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(table[i].at("devices"), p.at("stages")[i].at("devices"));
    EXPECT_EQ(table[i].at("microbatch_time_s").get<double>(), p.at("stages")[i].at("microbatch_time_s").get<double>());
    EXPECT_EQ(table[i].at("memory_bytes_per_device").get<double>(),
              p.at("stages")[i].at("memory_bytes_per_device").get<double>());
    EXPECT_EQ(table[i].at("strategy"), p.at("stages")[i].at("strategy"));
  }
  EXPECT_EQ(row.data_parallel_step_time_s, doc.at("data_parallel").at("step_time_s").get<double>());
  EXPECT_EQ(row.memory.data_parallel_fits, doc.at("data_parallel").at("fits").get<bool>());
  EXPECT_EQ(std::isnan(row.speedup_over_data_parallel), doc.at("speedup_over_data_parallel").is_null());
  bool megatron = false;
  for (const auto& b : doc.at("baselines"))
    if (b.at("name") == "megatron") {
      megatron = true;
      EXPECT_EQ(rp.megatron_setup, b.at("setup").get<std::string>());
      EXPECT_EQ(rp.megatron_step_time_s, b.at("step_time_s").get<double>());
      EXPECT_EQ(rp.megatron_fits, b.at("fits").get<bool>());
    }
  EXPECT_TRUE(megatron);
  if (doc.at("speedup_over_best_baseline").is_null())
    EXPECT_TRUE(std::isnan(row.memory.speedup_over_best_baseline));
  else
    EXPECT_EQ(row.memory.speedup_over_best_baseline, doc.at("speedup_over_best_baseline").get<double>());
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
  const SweepRow a = PointRunner(SweepPoints(spec_reduced), 0).run(0);
  const SweepRow b = PointRunner(SweepPoints(spec_whole), 0).run(0);
  ASSERT_EQ(a.status, "ok") << a.message;
  ASSERT_EQ(b.status, "ok") << b.message;
  EXPECT_LT(a.dp_cells * 10, b.dp_cells);  // gpt p=8: 6357048 DP cells -> 30912 and the blocks' 506058
  EXPECT_DOUBLE_EQ(a.total_cost, b.total_cost);
}

// The devices' memory: a pase-cluster point with search.memory_per_device and `pase search
// --memory-per-device` give the same recommended strategy, peak, bound and baselines' verdicts, and
// both refuse when nothing fits (the sweep's row says does_not_fit).
TEST(SearchSweepDeviceMemory, same_capacity_search_and_same_verdict) {
  test::TempDir dir;
  int argc = 0;
  char** argv = nullptr;
  MpiRuntime mpi(argc, argv);
  const std::string model = std::string(PASE_SOURCE_DIR) + "/inputs/gpt.json";
  for (const std::string capacity : {"10G", "11G", "80G", "2G"}) {
    const std::string path = dir.file("memory.yaml");
    test::write_file(path, "format: pase-sweep\nversion: 1\nname: memory\nmodels:\n  - file: " + model +
                               "\naxes:\n  cluster: [dgx-a100]\n  procs: [4]\nsearch:\n  precision: bf16\n"
                               "  memory_per_device: " + capacity + "\n");
    const SweepSpec spec = load_sweep_spec(path);
    const SweepPoints points(spec);
    PointRunner runner(points, 0);
    const SweepRow row = runner.run(0);
    const std::vector<std::string> args{"search", model, "--cluster", "dgx-a100", "--precision", "bf16", "-p", "4",
                                        "--memory-per-device", capacity, "-q", "-o", dir.file("s.json")};
    EXPECT_EQ(row.memory.capacity_bytes, static_cast<double>(parse_bytes(capacity, "capacity")));
    if (capacity == "2G") {
      // A sweep point is the plain search: no stage search when nothing fits (--stages none).
      std::vector<std::string> plain = args;
      plain.insert(plain.end(), {"--stages", "none"});
      EXPECT_THROW(search(mpi, plain), MemoryLimitExceeded);
      EXPECT_EQ(row.status, "does_not_fit");
      EXPECT_GT(row.memory.memory_per_device_bytes, row.memory.capacity_bytes);
      continue;
    }
    ASSERT_EQ(search(mpi, args), 0);
    const nlohmann::json report = nlohmann::json::parse(test::read_file(dir.file("s.json")));
    ASSERT_EQ(row.status, "ok") << row.message;
    EXPECT_EQ(row.total_cost, report["total_cost"].get<double>()) << capacity;
    EXPECT_EQ(row.memory.memory_per_device_bytes, report["memory"]["per_device_bytes"].get<double>()) << capacity;
    EXPECT_LE(row.memory.memory_per_device_bytes, row.memory.capacity_bytes);
    EXPECT_EQ(row.memory.unconstrained_fits, report["memory"]["unconstrained_fits"].get<bool>()) << capacity;
    EXPECT_EQ(row.memory.lower_bound, report["memory"]["lower_bound"].get<double>()) << capacity;
    EXPECT_EQ(row.memory.relative_gap, report["memory"]["relative_gap"].get<double>()) << capacity;
    EXPECT_EQ(row.memory.dp_solves, report["memory"]["dp_solves"].get<std::int64_t>()) << capacity;
    EXPECT_EQ(row.memory.data_parallel_fits, report["data_parallel"]["fits"].get<bool>()) << capacity;
    EXPECT_EQ(std::isnan(row.speedup_over_data_parallel), report["speedup_over_data_parallel"].is_null()) << capacity;
    if (report["speedup_over_best_baseline"].is_null()) {
      EXPECT_TRUE(std::isnan(row.memory.speedup_over_best_baseline)) << capacity;
    } else {
      EXPECT_EQ(row.memory.speedup_over_best_baseline, report["speedup_over_best_baseline"].get<double>()) << capacity;
    }
    // Data parallelism needs 12.3 GB, the unconstrained optimum 11.5 GB (10 GiB constrains it).
    EXPECT_EQ(row.memory.unconstrained_fits, capacity != "10G");
    EXPECT_EQ(row.memory.data_parallel_fits, capacity == "80G");
  }
}

}  // namespace
}  // namespace pase
