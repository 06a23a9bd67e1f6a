// Parity with the PaSE prototype: for every reference file in tests/reference/, the model file
// inputs/<graph>.json (with --set batch=<batch>) on the same devices and cluster must give the same
// minimum cost (to 1e-9 relative; to the bit where the file has it exactly) and, vertex by vertex,
// the same operator and number of configurations. The prototype's chosen strategy, evaluated in pase's problem, must cost the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "pase/report/search_report.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

namespace fs = std::filesystem;

const fs::path source_dir = PASE_SOURCE_DIR;
const fs::path reference_dir = source_dir / "tests" / "reference";

std::vector<std::string> reference_files() {
  std::vector<std::string> files;
  if (fs::is_directory(reference_dir))
    for (const auto& entry : fs::directory_iterator(reference_dir))
      if (entry.path().extension() == ".json") files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return nlohmann::json::parse(in);
}

// The prototype's class name for a layer's operator as written in a model file.
std::string prototype_op(const std::string& op) {
  static const std::map<std::string, std::string> renamed = {
      {"BatchNorm", "Norm"}, {"Embedding", "Einsum"}, {"MatMul", "Einsum"}};
  const auto it = renamed.find(op);
  return it == renamed.end() ? op : it->second;
}

// Indices of pase's configurations of `layer` that are the prototype's `config`. For an Einsum the
// reduction letters (after the output's) are in an order the prototype does not fix: compared as a set.
std::vector<int> matching_configs(const Layer& layer, const std::vector<Config>& configs, const Config& config) {
  std::size_t fixed = config.size();
  if (prototype_op(layer.op) == "Einsum") fixed = layer.model->output_shapes().at(0).size();
  std::vector<int> out;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const Config& c = configs[i];
    if (c.size() != config.size() || !std::equal(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(fixed),
                                                 config.begin()))
      continue;
    Config a(c.begin() + static_cast<std::ptrdiff_t>(fixed), c.end());
    Config b(config.begin() + static_cast<std::ptrdiff_t>(fixed), config.end());
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a == b) out.push_back(static_cast<int>(i));
  }
  return out;
}

class ReferenceParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceParityTest, matches_the_prototype) {
  const std::string file = GetParam();
  const nlohmann::json ref = read_json(reference_dir / file);
  const std::string graph = ref.at("graph").get<std::string>();
  const fs::path model = source_dir / "inputs" / (graph + ".json");
  if (!fs::exists(model))
    FAIL() << "inputs/" << graph << ".json is missing: tests/reference/" << file << " needs the model file of the '"
           << graph << "' network";

  SearchSettings settings;
  settings.model_file = model.string();
  settings.overrides = {"batch=" + std::to_string(ref.at("batch").get<std::int64_t>())};
  settings.problem.procs = ref.at("procs").get<std::int64_t>();
  settings.problem.cluster = Cluster{ref.at("flops_tflops").get<double>(), ref.at("bw_gbytes").get<double>()};
  settings.order = OrderKind::greedy;
  settings.max_memory_bytes = 0;
  const SearchRun run = run_search(settings);

  const double expected = ref.at("total_cost").get<double>();
  EXPECT_TRUE(test::near_relative(run.solution.total_cost, expected, 1e-9)) << file;
  // Files with the prototype's minimum to the last bit (Python's float.hex) must match it exactly.
  if (ref.contains("total_cost_exact")) {
    EXPECT_EQ(run.solution.total_cost, std::strtod(ref.at("total_cost_exact").get<std::string>().c_str(), nullptr))
        << file;
  }

  const auto& nodes = ref.at("nodes");
  ASSERT_EQ(run.network.layers.size(), nodes.size()) << "vertex count of " << graph;
  bool strategy_known = true;
  std::vector<int> strategy(nodes.size(), 0);
  for (std::size_t v = 0; v < nodes.size(); ++v) {
    const Layer& layer = run.network.layers[v];
    const auto& node = nodes[v];
    SCOPED_TRACE("vertex " + std::to_string(v) + " '" + layer.name + "' (" + layer.op + ")");
    EXPECT_EQ(prototype_op(layer.op), node.at("op").get<std::string>());
    EXPECT_EQ(run.model.configs[v].size(), node.at("configs").get<std::size_t>());
    const auto candidates = matching_configs(layer, run.model.configs[v], node.at("config").get<Config>());
    EXPECT_FALSE(candidates.empty()) << "the prototype's configuration is not one of pase's";
    if (candidates.size() == 1) strategy[v] = candidates[0];
    else strategy_known = false;  // empty (reported above) or ambiguous reduction order
  }
  // The prototype's optimum costs the same in pase's cost model (when its configurations map one to one).
  if (strategy_known && !HasFailure()) {
    EXPECT_TRUE(test::near_relative(evaluate(run.model.problem, strategy), expected, 1e-9))
        << "the prototype's strategy evaluated in pase's problem";
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Prototype, ReferenceParityTest, ::testing::ValuesIn(reference_files()), test_name);

// The references cover two flop-per-word ratios r (tests/reference/README.md): a cost model that
// mixed up the FLOP and the words could still match at one.
TEST(ReferenceParity, covers_two_flop_per_word_ratios) {
  std::set<double> ratios;
  for (const std::string& file : reference_files()) {
    const nlohmann::json ref = read_json(reference_dir / file);
    ratios.insert(ref.at("flops_tflops").get<double>() * 1000 / (ref.at("bw_gbytes").get<double>() / 8));
  }
  EXPECT_GE(ratios.size(), 2u);
}

TEST(ReferenceFilesTest, the_shared_references_are_present) {
  // The prototype's outputs copied from shared/reference: 5 alexnet, 4 inception3, 5 rnnlm, 1 transformer.
  const auto files = reference_files();
  for (const char* name : {"alexnet_p4.json", "alexnet_p64.json", "inception3_p32.json", "rnnlm_p64.json",
                           "transformer_p4.json", "resnet101_p4.json"})
    EXPECT_NE(std::find(files.begin(), files.end(), name), files.end()) << name;
  EXPECT_GE(files.size(), 15u);
  EXPECT_TRUE(fs::exists(reference_dir / "README.md"));
}

}  // namespace
}  // namespace pase
