// The `pase` command line, run as a separate process: help, a search with a JSON report, and bad
// inputs, each of which must exit with code 2 (3 for the memory limit) and say on ONE line of stderr
// which file and which field or option is at fault. It must never crash.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.hpp"

extern char** environ;

namespace pase {
namespace {

const std::string pase_binary = PASE_BINARY;
const std::string source_dir = PASE_SOURCE_DIR;

std::string input(const std::string& name) { return source_dir + "/inputs/" + name; }

struct Outcome {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `pase ARGS...` with stdout and stderr captured in files of `dir`, stdin empty.
Outcome run_pase(const test::TempDir& dir, const std::vector<std::string>& args) {
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> all = {pase_binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, pase_binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot run " + pase_binary);
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string show(const Outcome& r) {
  return "exit " + std::to_string(r.exit_code) + (r.signal ? ", signal " + std::to_string(r.signal) : "") +
         "\nstderr: " + r.err + "\nstdout: " + r.out.substr(0, 400);
}

// Not a crash: an orderly exit, no uncaught exception or abort message.
::testing::AssertionResult no_crash(const Outcome& r) {
  if (r.signal != 0) return ::testing::AssertionFailure() << "killed by signal " << r.signal << "\n" << show(r);
  for (const char* bad : {"terminate", "Aborted", "Segmentation", "core dumped", "what():"})
    if (r.err.find(bad) != std::string::npos)
      return ::testing::AssertionFailure() << "stderr has '" << bad << "'\n" << show(r);
  return ::testing::AssertionSuccess();
}

// Exit code `code` and exactly one line on stderr that
// contains every one of `parts`.
void expect_error(const Outcome& r, int code, const std::vector<std::string>& parts) {
  EXPECT_TRUE(no_crash(r));
  EXPECT_EQ(r.exit_code, code) << show(r);
  ASSERT_FALSE(r.err.empty()) << show(r);
  EXPECT_EQ(r.err.back(), '\n') << show(r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "not one line:\n" << show(r);
  for (const auto& part : parts) EXPECT_NE(r.err.find(part), std::string::npos) << "lacks '" << part << "'\n" << show(r);
}

// ------------------------------------------------------------------------------ outputs vs inputs

TEST(CliTest, an_output_that_is_also_an_input_is_refused_and_the_input_kept) {
  test::TempDir dir;
  std::ifstream source(input("alexnet.json"));
  const std::string text((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
  const std::string model = dir.write("m.json", text);
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "-o", model}), 2, {"--output", "m.json", "input"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "-o", dir.file("./m.json")}), 2, {"--output", "input"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "--checkpoint", model}), 2, {"--checkpoint", "input"});
  std::ifstream after(model);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(after)), std::istreambuf_iterator<char>()), text);
  expect_error(run_pase(dir, {"export", model, "--csv", model}), 2, {"--csv", "input"});
  expect_error(run_pase(dir, {"report", model, "--plot", model}), 2, {"--plot", "input"});
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "-o", fifo}), 2, {"--output", "not a regular file"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "-o", dir.file("")}), 2, {"--output", "folder"});
}

// Finding 5 of issue 16: each refusal is one line naming the file and the field or option.
TEST(CliTest, bad_extends_huge_set_values_and_huge_rank_counts_are_named) {
  test::TempDir dir;
  for (const std::string& base : {dir.file(""), std::string("/dev/null"), std::string(""), std::string("/dev/zero"),
                                 std::string("absent.json")}) {
    const std::string model = dir.write("ext.json", R"({"format": "pase-model", "version": 1, "name": "x", "extends": ")" +
                                                        base + R"(", "layers": []})");
    expect_error(run_pase(dir, {"search", model}), 2, {"ext.json: field 'extends': "});
  }
  expect_error(run_pase(dir, {"search", "/dev/zero"}), 2, {"/dev/zero", "not a regular file"});
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--set", "batch=9223372036854775807"}), 2,
               {"alexnet.json", "--set batch=9223372036854775807"});
  expect_error(run_pase(dir, {"plan", input("alexnet.json"), "--ranks", "1000000000"}), 2, {"--ranks 1000000000", "from 1 to"});

  // Attributes that would be ignored: op, dims or anything else on a layer that instantiates a block; dims on a Reshape.
  std::ifstream source(input("transformer.json"));
  nlohmann::json transformer = nlohmann::json::parse(source);
  for (const auto& [key, value] : {std::pair<std::string, nlohmann::json>{"op", "Einsum"}, {"dims", "ble"}, {"bogus", 1}}) {
    nlohmann::json m = transformer;
    m["layers"][2][key] = value;
    expect_error(run_pase(dir, {"plan", dir.write("t.json", m.dump())}), 2, {"layer 'enc'", "field '" + key + "'"});
  }
  std::ifstream alex(input("alexnet.json"));
  nlohmann::json alexnet = nlohmann::json::parse(alex);
  for (auto& layer : alexnet["layers"])
    if (layer["op"] == "Reshape") layer["dims"] = "bc";
  expect_error(run_pase(dir, {"plan", dir.write("a.json", alexnet.dump())}), 2, {"field 'dims'", "Reshape"});
}

// A checkpoint that finds no room is a warning on stderr under --quiet too: a full disk never passes in silence.
TEST(CliTest, quiet_still_warns_when_a_checkpoint_finds_no_room) {
  test::TempDir dir;
  const std::string count = dir.file("count.txt");
  // A file size limit of 1 KiB for pase alone (the checkpoint needs about 70 KB); its stderr goes through a pipe.
  const std::string command = "bash -c '(ulimit -f 1; exec " + pase_binary + " search " + input("transformer.json") +
                              " -q --procs 64 --checkpoint " + dir.file("ck.h5") +
                              " --checkpoint-every 0) 2>&1 >/dev/null | grep -c \"warning: .*checkpoint not written (no room\" > " +
                              count + "; exit ${PIPESTATUS[0]}'";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(count);
  int warnings = 0;
  in >> warnings;
  EXPECT_GT(warnings, 0);
}

// Wrong JSON types name the file, the field's path and the type expected (never "a field has the wrong type").
TEST(CliTest, wrong_types_name_the_file_the_field_and_the_expected_type) {
  test::TempDir dir;
  std::ifstream source(input("transformer.json"));
  const nlohmann::json transformer = nlohmann::json::parse(source);
  const std::string block = transformer["layers"][2]["block"].get<std::string>();
  struct Case {
    std::vector<std::string> where;  // a path into the model
    nlohmann::json value;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {{"blocks", block, "inputs", "0"}, 7, {"field 'blocks." + block + ".inputs[0]'", "must be a string"}},
      {{"blocks", block, "layers"}, "x", {"field 'blocks." + block + ".layers'", "must be a non-empty list"}},
      {{"blocks", block, "layers"}, nlohmann::json::object({{"a", 1}}), {"blocks." + block + ".layers", "list"}},
      {{"params", "batch"}, nlohmann::json::array(), {"field 'params.batch'", "must be an integer"}},
      {{"inputs"}, 3.5, {"field 'inputs'", "must be an object"}},
      {{"blocks"}, true, {"field 'blocks'", "must be an object"}},
  };
  for (const Case& c : cases) {
    nlohmann::json m = transformer;
    nlohmann::json* at = &m;
    for (const auto& key : c.where) at = at->is_array() ? &(*at)[std::stoul(key)] : &(*at)[key];
    *at = c.value;
    std::vector<std::string> parts = c.parts;
    parts.push_back("t.json: ");
    const Outcome r = run_pase(dir, {"plan", dir.write("t.json", m.dump())});
    expect_error(r, 2, parts);
    EXPECT_EQ(r.err.find("wrong type"), std::string::npos) << show(r);
  }
  // A cluster catalogue (PASE_CLUSTERS) with a field of the wrong type.
  std::ifstream catalogue_source(source_dir + "/jobs/clusters.json");
  nlohmann::json catalogue = nlohmann::json::parse(catalogue_source);
  catalogue["format"] = 3.5;
  const std::string catalogue_file = dir.write("clusters.json", catalogue.dump());
  setenv("PASE_CLUSTERS", catalogue_file.c_str(), 1);
  const Outcome r = run_pase(dir, {"plan", input("transformer.json"), "--cluster", "a100-nvlink"});
  unsetenv("PASE_CLUSTERS");
  expect_error(r, 2, {"clusters.json: field 'format'", "\"pase-clusters\""});
}

// --resume and inspect of a folder or a device say what the path is, not "no such checkpoint file"
// (which sent users in a circle with "exists already, use --resume").
TEST(CliTest, a_checkpoint_to_read_that_is_a_folder_or_a_device_says_so) {
  test::TempDir dir;
  const std::string model = input("alexnet.json");
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "--resume", dir.file("")}), 2, {"is a folder, not a checkpoint"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "--resume", "/dev/null"}), 2,
               {"/dev/null: is not a regular file", "not a checkpoint"});
  expect_error(run_pase(dir, {"inspect", dir.file("")}), 2, {"is a folder, not a checkpoint"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "--resume", dir.file("none.h5")}), 2,
               {"none.h5: no such checkpoint file"});
}

// A count that saturated at 2^64 - 1 (saturating.hpp) is printed as a lower bound, never as an exact number.
TEST(CliTest, saturated_counts_are_printed_as_lower_bounds) {
  test::TempDir dir;
  // 14 measured layers of 50 configurations, every pair joined: the last table has 50^13 entries.
  nlohmann::json model = {{"format", "pase-model"}, {"version", 1}, {"name", "clique"}};
  nlohmann::json configs = nlohmann::json::array();
  for (int a = 0; a < 4 && configs.size() < 50; ++a)
    for (int b = 0; b < 4 && configs.size() < 50; ++b)
      for (int c = 0; c < 4 && configs.size() < 50; ++c)
        for (int d = 0; d < 4 && configs.size() < 50; ++d)
          if (a + b + c + d <= 6) configs.push_back({1 << a, 1 << b, 1 << c, 1 << d});
  std::vector<double> costs(50), row(50, 1.0);
  for (int i = 0; i < 50; ++i) costs[i] = i + 1;
  const std::vector<std::vector<double>> matrix(50, row);
  for (int i = 0; i < 14; ++i)
    model["layers"].push_back({{"name", "l" + std::to_string(i)}, {"op", "Measured"}, {"dims", "abcd"},
                               {"configs", configs}, {"costs", costs}});
  for (int i = 0; i < 14; ++i)
    for (int j = i + 1; j < 14; ++j)
      model["edges"].push_back({{"from", "l" + std::to_string(i)}, {"to", "l" + std::to_string(j)}, {"costs", matrix}});
  const std::string file = dir.write("clique.json", model.dump());
  const Outcome r = run_pase(dir, {"plan", file, "--prune", "none", "-p", "64", "--ranks", "2", "--order", "auto"});
  EXPECT_TRUE(no_crash(r));
  EXPECT_EQ(r.exit_code, 3) << show(r);  // the plan does not fit: the memory limit's exit code
  EXPECT_EQ(r.out.find("18446744073709551615"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("largest table more than 1.8e19 entries, more than 1.8e19 DP cells"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("search memory more than 16.0 EiB"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("greedy more than 1.8e19"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("more than 1.8e19 cells"), std::string::npos) << show(r);
  EXPECT_EQ(std::regex_search(r.out, std::regex("[^n] 16\\.0 EiB")), false) << show(r);
}

// Readers and the writers of whole files (results, checkpoints) refuse FIFOs, devices and folders instead of
// blocking on them, and a new checkpoint and the report cannot be one path.
TEST(CliTest, fifos_devices_and_one_new_path_for_two_outputs_are_refused) {
  test::TempDir dir;
  const std::string model = input("alexnet.json");
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_error(run_pase(dir, {"export", fifo, "--csv", dir.file("x.csv")}), 2, {"fifo", "not a regular file"});
  expect_error(run_pase(dir, {"report", fifo}), 2, {"fifo", "not a regular file"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "--checkpoint", fifo}), 2, {"--checkpoint", "not a regular"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "--checkpoint", "/dev/null"}), 2,
               {"--checkpoint", "/dev/null", "not a regular"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "--checkpoint", dir.file("")}), 2, {"--checkpoint", "folder"});
  expect_error(run_pase(dir, {"search", model, "--procs", "2", "--checkpoint", dir.file("./c.h5"), "-o", dir.file("c.h5")}),
               2, {"--output", "input"});
}

// ------------------------------------------------------------------------------------------- help

TEST(CliTest, help_lists_the_commands) {
  test::TempDir dir;
  const Outcome r = run_pase(dir, {"--help"});
  EXPECT_TRUE(no_crash(r));
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_NE(r.out.find("Usage: pase"), std::string::npos) << show(r);
  for (const char* command : {"search", "plan"}) EXPECT_NE(r.out.find(command), std::string::npos) << command;
  EXPECT_TRUE(r.err.empty()) << show(r);
}

TEST(CliTest, search_help_lists_the_options) {
  test::TempDir dir;
  const Outcome r = run_pase(dir, {"search", "--help"});
  EXPECT_TRUE(no_crash(r));
  EXPECT_EQ(r.exit_code, 0) << show(r);
  for (const char* option : {"Usage: pase search", "--procs", "--flops", "--bw", "--set", "--order", "--max-memory",
                             "--parallel-edges", "--output"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option << "\n" << show(r);
  EXPECT_TRUE(r.err.empty()) << show(r);
}

TEST(CliTest, plan_help_lists_the_options) {
  test::TempDir dir;
  const Outcome r = run_pase(dir, {"plan", "--help"});
  EXPECT_TRUE(no_crash(r));
  EXPECT_EQ(r.exit_code, 0) << show(r);
  for (const char* option : {"Usage: pase plan", "--procs", "--max-memory"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option << "\n" << show(r);
}

TEST(CliTest, no_arguments_or_an_unknown_command_is_a_usage_error) {
  test::TempDir dir;
  const Outcome none = run_pase(dir, {});
  EXPECT_TRUE(no_crash(none));
  EXPECT_EQ(none.exit_code, 2) << show(none);
  expect_error(run_pase(dir, {"frobnicate"}), 2, {"frobnicate"});
}

// ----------------------------------------------------------------------------------------- search

TEST(CliTest, search_writes_a_json_report) {
  test::TempDir dir;
  const std::string report = dir.file("x.json");
  const Outcome r = run_pase(dir, {"search", input("alexnet.json"), "--procs", "4", "--set", "batch=128", "--output", report});
  ASSERT_TRUE(no_crash(r));
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(r.err.empty()) << show(r);
  EXPECT_NE(r.out.find("conv1"), std::string::npos) << show(r);
  const auto doc = nlohmann::json::parse(slurp(report));
  // The prototype's minimum for AlexNet, batch 128, on 4 devices (tests/reference/alexnet_p4.json).
  const double total = doc.at("total_cost").get<double>();
  EXPECT_TRUE(test::near_relative(total, 148215719552.0, 1e-9));
  // Step time: FLOP over the 10 TFLOP/s peak.
  EXPECT_TRUE(test::near_relative(doc.at("step_time_s").get<double>(), total / 10e12, 1e-12));
  // Data parallelism is one of the strategies searched: never cheaper than the optimum.
  const double data_parallel = doc.at("data_parallel").at("total_cost").get<double>();
  EXPECT_GE(data_parallel, total);
  EXPECT_TRUE(test::near_relative(doc.at("speedup_over_data_parallel").get<double>(), data_parallel / total, 1e-12));
  EXPECT_GE(doc.at("search_seconds").get<double>(), 0.0);
  EXPECT_TRUE(doc.at("dp_cells").is_number_unsigned());
  EXPECT_GT(doc.at("dp_cells").get<std::uint64_t>(), 0u);
  const auto& layers = doc.at("layers");
  ASSERT_EQ(layers.size(), 14u);  // 13 layers, the Reshape counting twice
  EXPECT_EQ(layers[0].at("name"), "conv1");
  EXPECT_EQ(layers[0].at("op"), "Conv");
  EXPECT_EQ(layers[8].at("name"), "flatten.ravel");
  EXPECT_EQ(layers[8].at("op"), "Ravel");
  EXPECT_EQ(layers[13].at("name"), "loss");
  for (const auto& layer : layers) {
    EXPECT_TRUE(layer.at("name").is_string());
    EXPECT_TRUE(layer.at("op").is_string());
    const auto config = layer.at("config").get<std::vector<std::int64_t>>();
    ASSERT_FALSE(config.empty());
    std::int64_t devices = 1;
    for (auto c : config) devices *= c;
    EXPECT_LE(devices, 4) << layer.dump();
  }
}

// Pruning is exact: on the shipped models, the same minimum (to the last bit) and the same
// strategy as the unpruned search, with fewer DP cells, and the counts in the report.
TEST(CliTest, pruned_and_unpruned_searches_find_the_same_optimum) {
  for (const auto& [model, procs] : std::vector<std::pair<std::string, std::string>>{
           {"alexnet.json", "16"}, {"rnnlm.json", "16"}, {"inception3.json", "8"}, {"transformer.json", "8"},
           {"llama-7b.json", "8"}}) {
    SCOPED_TRACE(model + " p=" + procs);
    test::TempDir dir;
    const Outcome pruned = run_pase(
        dir, {"search", input(model), "--procs", procs, "-q", "--prune", "dominance", "--output", dir.file("a.json")});
    const Outcome whole =
        run_pase(dir, {"search", input(model), "--procs", procs, "-q", "--prune", "none", "--output", dir.file("b.json")});
    ASSERT_EQ(pruned.exit_code, 0) << show(pruned);
    ASSERT_EQ(whole.exit_code, 0) << show(whole);
    const auto a = nlohmann::json::parse(slurp(dir.file("a.json")));
    const auto b = nlohmann::json::parse(slurp(dir.file("b.json")));
    EXPECT_EQ(a.at("total_cost").get<double>(), b.at("total_cost").get<double>());
    EXPECT_EQ(a.at("data_parallel"), b.at("data_parallel"));
    ASSERT_EQ(a.at("layers").size(), b.at("layers").size());
    for (std::size_t i = 0; i < a.at("layers").size(); ++i) {
      EXPECT_EQ(a["layers"][i].at("config"), b["layers"][i].at("config")) << a["layers"][i].at("name");
      EXPECT_EQ(a["layers"][i].at("cost"), b["layers"][i].at("cost"));
    }
    EXPECT_LT(a.at("dp_cells").get<std::uint64_t>(), b.at("dp_cells").get<std::uint64_t>());
    EXPECT_TRUE(a.at("pruning").at("applied").get<bool>());
    EXPECT_EQ(a.at("pruning").at("dp_cells_unpruned"), b.at("dp_cells"));
    EXPECT_LT(a.at("pruning").at("configs_after").get<std::uint64_t>(),
              a.at("pruning").at("configs_before").get<std::uint64_t>());
    EXPECT_FALSE(b.at("pruning").at("applied").get<bool>());
  }
}

// Repeated blocks are exact: on the shipped stacks, the same minimum (up to the order of summation
// inside a block: 1e-12 relative) as the unreduced search, and pase plan prints the DP cells before
// and after the reduction.
TEST(CliTest, block_reduction_finds_the_same_optimum) {
  for (const auto& [model, procs] : std::vector<std::pair<std::string, std::string>>{
           {"gpt.json", "16"}, {"transformer.json", "8"}, {"llama-7b.json", "8"}}) {
    SCOPED_TRACE(model + " p=" + procs);
    test::TempDir dir;
    const Outcome reduced = run_pase(
        dir, {"search", input(model), "--procs", procs, "-q", "--blocks", "auto", "--output", dir.file("a.json")});
    const Outcome whole =
        run_pase(dir, {"search", input(model), "--procs", procs, "-q", "--blocks", "none", "--output", dir.file("b.json")});
    ASSERT_EQ(reduced.exit_code, 0) << show(reduced);
    ASSERT_EQ(whole.exit_code, 0) << show(whole);
    const auto a = nlohmann::json::parse(slurp(dir.file("a.json")));
    const auto b = nlohmann::json::parse(slurp(dir.file("b.json")));
    const double total = b.at("total_cost").get<double>();
    EXPECT_NEAR(a.at("total_cost").get<double>(), total, 1e-12 * total);
    EXPECT_EQ(a.at("layers").size(), b.at("layers").size());
    EXPECT_LT(a.at("dp_cells").get<std::uint64_t>(), b.at("dp_cells").get<std::uint64_t>());
    const Outcome plan = run_pase(dir, {"plan", input(model), "--procs", procs, "--blocks", "auto"});
    ASSERT_EQ(plan.exit_code, 0) << show(plan);
    EXPECT_NE(plan.out.find("repeated blocks reduced to edges"), std::string::npos) << show(plan);
  }
}

// --prune auto (the default) prunes only plans of at least 2^26 DP cells.
TEST(CliTest, auto_pruning_prunes_large_plans_only) {
  test::TempDir dir;
  const Outcome small = run_pase(dir, {"plan", input("rnnlm.json"), "--procs", "8"});
  ASSERT_EQ(small.exit_code, 0) << show(small);
  EXPECT_NE(small.out.find("pruning    none (--prune auto; the unpruned plan is small)"), std::string::npos) << show(small);
  const Outcome large = run_pase(dir, {"plan", input("llama-7b.json"), "--procs", "64"});
  ASSERT_EQ(large.exit_code, 0) << show(large);
  std::smatch m;
  const std::regex pruning(R"(pruning +(\d+) -> (\d+) configurations .*; (\d+) DP cells unpruned)");
  const std::regex plan(R"(plan +.*, (\d+) DP cells)");
  ASSERT_TRUE(std::regex_search(large.out, m, pruning)) << show(large);
  EXPECT_LT(std::stoull(m[2]), std::stoull(m[1]));
  const std::uint64_t unpruned_cells = std::stoull(m[3]);
  EXPECT_GE(unpruned_cells, std::uint64_t{1} << 26);
  ASSERT_TRUE(std::regex_search(large.out, m, plan)) << show(large);
  EXPECT_LT(std::stoull(m[1]), unpruned_cells);
}

TEST(CliTest, bad_prune_value) {
  test::TempDir dir;
  const Outcome r = run_pase(dir, {"search", input("rnnlm.json"), "--prune", "some"});
  EXPECT_EQ(r.exit_code, 2) << show(r);
  EXPECT_NE(r.err.find("--prune: expected auto, dominance or none, got 'some'"), std::string::npos) << show(r);
}

// pase import writes a model file that pase search reads, and never replaces its input, whatever
// path names it.
TEST(CliTest, import_writes_a_model_file_and_refuses_to_overwrite_its_input) {
  test::TempDir dir;
  const std::string config = dir.write("config.json", slurp(source_dir + "/tests/model/hf/bert-base-uncased.json"));
  const Outcome ok = run_pase(dir, {"import", config, "--output", dir.file("bert.json")});
  ASSERT_EQ(ok.exit_code, 0) << show(ok);
  EXPECT_NE(ok.out.find("109482240 parameters"), std::string::npos) << show(ok);
  const Outcome search = run_pase(dir, {"plan", dir.file("bert.json"), "--procs", "4"});
  EXPECT_EQ(search.exit_code, 0) << show(search);

  const std::string before = slurp(config);
  const Outcome same = run_pase(dir, {"import", config, "--output", dir.path().string() + "/./config.json"});
  EXPECT_EQ(same.exit_code, 2) << show(same);
  EXPECT_NE(same.err.find("is also the input"), std::string::npos) << show(same);
  EXPECT_EQ(slurp(config), before);
}

TEST(CliTest, quiet_search_prints_one_line) {
  test::TempDir dir;
  const Outcome r = run_pase(dir, {"search", input("rnnlm.json"), "--procs", "8", "-q"});
  ASSERT_TRUE(no_crash(r));
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << show(r);
  EXPECT_EQ(r.out.rfind("total_cost ", 0), 0u) << show(r);
  // rnnlm's defaults are the reference's (batch 64): 4024963186688 FLOP on 8 devices.
  EXPECT_TRUE(test::near_relative(std::stod(r.out.substr(11)), 4024963186688.0, 1e-5)) << show(r);
}

TEST(CliTest, plan_prints_the_plan_without_searching) {
  test::TempDir dir;
  const Outcome r = run_pase(dir, {"plan", input("alexnet.json"), "--procs", "4"});
  ASSERT_TRUE(no_crash(r));
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_NE(r.out.find("DP cells"), std::string::npos) << show(r);
}

// The "order" line of `pase plan --order auto` names every candidate's DP cells and the one it kept:
// the fewest, the first of them on ties; the plan line's DP cells are the chosen order's.
void expect_auto_picks_the_fewest_cells(const std::string& model, const std::string& procs) {
  test::TempDir dir;
  // Unpruned: the orders' measured relation below is for these problems as built.
  const Outcome r = run_pase(dir, {"plan", input(model), "--procs", procs, "--order", "auto", "--prune", "none"});
  ASSERT_TRUE(no_crash(r));
  ASSERT_EQ(r.exit_code, 0) << show(r);
  std::smatch m;
  const std::regex order_line(R"(order +(\w+) \(auto; DP cells: greedy (\d+), weighted (\d+), minfill (\d+)\))");
  ASSERT_TRUE(std::regex_search(r.out, m, order_line)) << show(r);
  const std::uint64_t greedy = std::stoull(m[2]), weighted = std::stoull(m[3]), minfill = std::stoull(m[4]);
  const std::uint64_t fewest = std::min({greedy, weighted, minfill});
  const std::string first_fewest = greedy == fewest ? "greedy" : weighted == fewest ? "weighted" : "minfill";
  EXPECT_EQ(m[1], first_fewest) << show(r);
  EXPECT_NE(r.out.find(", " + std::to_string(fewest) + " DP cells"), std::string::npos) << show(r);
  // Measured on these shipped cases: the table-size orders never plan more cells than greedy.
  EXPECT_LE(weighted, greedy) << show(r);
  EXPECT_LE(minfill, greedy) << show(r);
}

TEST(CliTest, plan_with_order_auto_shows_the_candidates_and_keeps_the_fewest_cells) {
  expect_auto_picks_the_fewest_cells("transformer.json", "64");
  expect_auto_picks_the_fewest_cells("gpt3-175b.json", "64");
}

// ------------------------------------------------------------------------------------- bad inputs

// A model file in `dir` whose only layer is `layer` over an image input (2, 3, 8, 8).
std::string one_layer_model(const test::TempDir& dir, const std::string& name, const std::string& layer,
                            const std::string& inputs = R"({"img": [2, 3, 8, 8]})") {
  return dir.write(name, R"({"format": "pase-model", "version": 1, "name": "m", "params": {"batch": 2}, "inputs": )" +
                             inputs + R"(, "layers": [)" + layer + "]}");
}

TEST(CliTest, missing_model_file) {
  test::TempDir dir;
  expect_error(run_pase(dir, {"search", dir.file("missing.json")}), 2, {"missing.json"});
  expect_error(run_pase(dir, {"plan", dir.file("missing.json")}), 2, {"missing.json"});
}

TEST(CliTest, malformed_json) {
  test::TempDir dir;
  const std::string path = dir.write("malformed.json", R"({"format": "pase-model", "version": 1, "layers": [)");
  expect_error(run_pase(dir, {"search", path}), 2, {"malformed.json", "JSON"});
}

TEST(CliTest, unknown_operator) {
  test::TempDir dir;
  const std::string path = one_layer_model(dir, "unknown_op.json", R"({"name": "c1", "op": "Conv2D", "in": ["img"]})");
  expect_error(run_pase(dir, {"search", path}), 2, {"unknown_op.json", "c1", "'op'", "Conv2D"});
}

TEST(CliTest, conv_filter_channels_that_do_not_match) {
  test::TempDir dir;
  const std::string path = one_layer_model(
      dir, "channels.json", R"({"name": "c1", "op": "Conv", "in": ["img"], "filter": [4, 5, 3, 3]})");
  expect_error(run_pase(dir, {"search", path}), 2, {"channels.json", "c1", "'filter'"});
}

TEST(CliTest, tensors_of_different_shapes) {
  test::TempDir dir;
  const std::string path =
      one_layer_model(dir, "shapes.json", R"({"name": "add", "op": "Elementwise", "in": ["a", "b"]})",
                      R"({"a": [4, 8], "b": [8, 4]})");
  expect_error(run_pase(dir, {"search", path}), 2, {"shapes.json", "add", "'in'"});
}

TEST(CliTest, zero_devices) {
  test::TempDir dir;
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--procs", "0"}), 2, {"--procs"});
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--procs", "-4"}), 2, {"--procs"});
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--procs", "four"}), 2, {"--procs"});
}

TEST(CliTest, unknown_set_parameter) {
  test::TempDir dir;
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--set", "seq=5"}), 2, {"alexnet.json", "--set", "seq"});
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--set", "batch"}), 2, {"--set", "batch"});
}

TEST(CliTest, nothing_can_be_split) {
  test::TempDir dir;
  const std::string path = one_layer_model(dir, "ones.json", R"({"name": "e", "op": "Elementwise", "in": ["x", "x"]})",
                                           R"({"x": [1, 1, 1]})");
  expect_error(run_pase(dir, {"search", path, "--procs", "4"}), 2, {"ones.json", "4 devices"});
}

TEST(CliTest, bad_order) {
  test::TempDir dir;
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--order", "dfs"}), 2, {"--order", "dfs"});
}

TEST(CliTest, bad_max_memory) {
  test::TempDir dir;
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--max-memory", "lots"}), 2, {"--max-memory", "lots"});
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--max-memory", "-1G"}), 2, {"--max-memory"});
}

TEST(CliTest, other_bad_options) {
  test::TempDir dir;
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--parallel-edges", "first"}), 2, {"--parallel-edges"});
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--flops", "0"}), 2, {"--flops"});
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--bw", "-16"}), 2, {"--bw"});
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--frobnicate"}), 2, {"frobnicate"});
  expect_error(run_pase(dir, {"search"}), 2, {"MODEL"});
}

TEST(CliTest, overflowing_expression_in_a_model) {
  // INT64_MIN % -1 traps on x86-64 unless the evaluator checks for it.
  test::TempDir dir;
  const std::string path = one_layer_model(
      dir, "overflow.json", R"({"name": "f", "op": "FC", "in": ["x"], "units": "(0 - 9223372036854775807 - 1) % -1"})",
      R"({"x": [4, 4]})");
  expect_error(run_pase(dir, {"search", path}), 2, {"overflow.json", "units"});
}

TEST(CliTest, unwritable_output_file) {
  test::TempDir dir;
  const std::string report = dir.file("no/such/folder/x.json");
  const Outcome r = run_pase(dir, {"search", input("alexnet.json"), "--procs", "4", "--output", report});
  EXPECT_TRUE(no_crash(r));
  EXPECT_NE(r.exit_code, 0) << show(r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << show(r);
  EXPECT_NE(r.err.find(report), std::string::npos) << show(r);
}

// ---------------------------------------------------------------------------------- memory limit

TEST(CliTest, memory_limit_exits_3_with_a_clear_message) {
  test::TempDir dir;
  // InceptionV3 on 8 devices needs tens of KiB of DP tables: more than 1 KiB.
  const Outcome r = run_pase(dir, {"search", input("inception3.json"), "--procs", "8", "--max-memory", "1K"});
  expect_error(r, 3, {"--max-memory", "1.0 KiB"});
  EXPECT_TRUE(r.out.empty()) << show(r);
  // `plan` reports the same without searching, and exits 3 too.
  const Outcome plan = run_pase(dir, {"plan", input("inception3.json"), "--procs", "8", "--max-memory", "1K"});
  EXPECT_TRUE(no_crash(plan));
  EXPECT_EQ(plan.exit_code, 3) << show(plan);
  // With room enough it runs.
  const Outcome ok = run_pase(dir, {"search", input("inception3.json"), "--procs", "8", "--max-memory", "1G", "-q"});
  EXPECT_TRUE(no_crash(ok));
  EXPECT_EQ(ok.exit_code, 0) << show(ok);
}


// ------------------------------------------------------------------------------ the hardware model

TEST(CliTest, a_cluster_preset_selects_the_hardware_model_with_a_breakdown) {
  test::TempDir dir;
  const std::string json = dir.file("r.json");
  const Outcome r = run_pase(dir, {"search", input("alexnet.json"), "--cluster", "paper-1080ti", "-p", "16", "-o", json});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_NE(r.out.find("paper-1080ti: 16 devices on 2 node(s) of 8"), std::string::npos) << r.out;
  const auto doc = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(doc.at("cost_model"), "hardware");
  EXPECT_EQ(doc.at("cluster"), "paper-1080ti");
  const auto& b = doc.at("step_breakdown");
  EXPECT_NEAR(b.at("compute_s").get<double>() + b.at("exposed_communication_s").get<double>(),
              doc.at("step_time_s").get<double>(), 1e-12);
  EXPECT_LE(b.at("exposed_communication_s").get<double>(), b.at("communication_s").get<double>());
  const auto& dp = doc.at("data_parallel");
  EXPECT_NEAR(dp.at("step_time_s").get<double>() / doc.at("step_time_s").get<double>(),
              doc.at("speedup_over_data_parallel").get<double>(), 1e-9);
  // conv1 data-parallel over 16 devices spans both nodes.
  const auto& conv1 = doc.at("layers").at(0);
  EXPECT_GT(conv1.at("time_s").get<double>(), 0.0);
  EXPECT_EQ(conv1.at("placement").at("b").at("nodes"), 2);
  // The paper model on the same cluster: its FLOP units, no placement.
  const Outcome p = run_pase(dir, {"search", input("alexnet.json"), "--cluster", "paper-1080ti", "--cost-model", "paper",
                                   "-p", "16", "-o", json});
  ASSERT_EQ(p.exit_code, 0) << show(p);
  EXPECT_EQ(nlohmann::json::parse(slurp(json)).at("cost_model"), "paper");
  EXPECT_NE(p.out.find("11.34 TFLOP/s, 15.75 GB/s"), std::string::npos) << p.out;
}

TEST(CliTest, hardware_model_options_that_contradict_are_refused) {
  test::TempDir dir;
  const std::string m = input("alexnet.json");
  expect_error(run_pase(dir, {"search", m, "--cluster", "dgx-a100", "--flops", "5"}), 2, {"--flops/--bw", "--cost-model paper"});
  expect_error(run_pase(dir, {"search", m, "--cost-model", "hardware"}), 2, {"--cost-model hardware", "--cluster"});
  expect_error(run_pase(dir, {"search", m, "--cost-model", "roofline"}), 2, {"--cost-model", "roofline"});
  expect_error(run_pase(dir, {"search", m, "--cluster", "paper-1080ti", "-p", "128"}), 2, {"--procs", "64 devices"});
  expect_error(run_pase(dir, {"search", m, "--cluster", "paper-1080ti", "--nodes", "2", "-p", "8"}), 2, {"--nodes", "--procs"});
  expect_error(run_pase(dir, {"search", m, "--cluster", "paper-1080ti", "--precision", "bf16"}), 2, {"--precision", "bf16"});
  expect_error(run_pase(dir, {"search", m, "--cluster", "dgx-a100", "--precision", "fp8"}), 2, {"fp8"});
  expect_error(run_pase(dir, {"search", m, "--precision", "bf16"}), 2, {"--precision"});
  expect_error(run_pase(dir, {"search", m, "--cluster", "no-such-cluster"}), 2, {"no-such-cluster", "dgx-a100"});
  expect_error(run_pase(dir, {"search", input("measured-example.json"), "--cluster", "dgx-a100"}), 2,
               {"measured-example.json", "--cost-model paper"});
}

TEST(CliTest, a_bad_cluster_file_is_refused_naming_the_file_and_field) {
  test::TempDir dir;
  const std::string bad = dir.write("bad.json", R"({"format": "pase-cluster", "version": 1, "name": "x"})");
  expect_error(run_pase(dir, {"search", input("alexnet.json"), "--cluster", bad}), 2, {"bad.json"});
}

TEST(CliTest, nodes_selects_whole_nodes) {
  test::TempDir dir;
  const std::string json = dir.file("r.json");
  const Outcome r = run_pase(dir, {"search", input("alexnet.json"), "--cluster", "dgx-a100", "--nodes", "2", "-o", json});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(nlohmann::json::parse(slurp(json)).at("procs"), 16);
}

}  // namespace
}  // namespace pase

namespace pase {
namespace {

// Device memory (src/cost/README.md): bad values exit 2 naming the option; a strategy that cannot fit
// exits 3 with the smallest footprint (--stages none); a GPT-2-sized model fits with data parallelism.
TEST(CliTest, device_memory_options_and_verdicts) {
  const test::TempDir dir;
  const std::string gpt = input("gpt.json");
  expect_error(run_pase(dir, {"search", gpt, "--cluster", "dgx-a100", "-p", "8", "--memory-per-device", "-5G"}), 2,
               {"--memory-per-device", "negative"});
  expect_error(run_pase(dir, {"search", gpt, "--cluster", "dgx-a100", "-p", "8", "--optimizer", "lamb"}), 2,
               {"--optimizer", "lamb"});
  expect_error(run_pase(dir, {"search", gpt, "--cluster", "dgx-a100", "-p", "8", "--training-precision", "fp8"}), 2,
               {"--training-precision", "fp8"});
  // Holding the whole batch nothing fits; --stages none does not search pipeline stages after it
  // (the default does: tests/cli/stages_cli_test.cpp).
  expect_error(run_pase(dir, {"search", input("llama-7b.json"), "--cluster", "dgx-a100", "-p", "32", "--stages", "none"}),
               3, {"device memory", "no strategy fits", "the smallest needs", "--stages auto"});
  const Outcome fits = run_pase(dir, {"search", gpt, "--cluster", "dgx-a100", "--precision", "bf16", "-p", "8",
                                      "-o", dir.file("gpt.json")});
  ASSERT_EQ(fits.exit_code, 0) << show(fits);
  EXPECT_NE(fits.out.find("memory     "), std::string::npos);
  EXPECT_NE(fits.out.find("data_parallel  "), std::string::npos);
  const auto doc = nlohmann::json::parse(slurp(dir.file("gpt.json")));
  EXPECT_TRUE(doc["data_parallel"]["fits"].get<bool>());
  EXPECT_LE(doc["memory"]["per_device_bytes"].get<double>(), doc["memory"]["capacity_bytes"].get<double>());
  EXPECT_EQ(doc["baselines"][0]["name"], "data_parallel");
  EXPECT_EQ(doc["baselines"][1]["name"], "fsdp");
  EXPECT_TRUE(doc["memory"]["breakdown"].contains("activations"));
  EXPECT_TRUE(doc["layers"][0].contains("memory_bytes"));
  // A capacity below what data parallelism needs: it is marked as not fitting and the speedup over it is null.
  const Outcome tight = run_pase(dir, {"search", gpt, "--cluster", "dgx-a100", "--precision", "bf16", "-p", "8",
                                       "--memory-per-device", "6G", "-o", dir.file("tight.json")});
  ASSERT_EQ(tight.exit_code, 0) << show(tight);
  const auto t = nlohmann::json::parse(slurp(dir.file("tight.json")));
  EXPECT_FALSE(t["data_parallel"]["fits"].get<bool>());
  EXPECT_TRUE(t["speedup_over_data_parallel"].is_null());
  EXPECT_LE(t["memory"]["per_device_bytes"].get<double>(), 6.0 * (1 << 30));
  EXPECT_NE(tight.out.find("DOES NOT FIT"), std::string::npos);
}

}  // namespace
}  // namespace pase
