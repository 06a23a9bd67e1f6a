// Reading model files: parameters and --set, blocks with repeat, extends, NAME:K outputs, inline
// weights, Reshape, parallel tensors, and errors that name the file, the layer and the field.
#include "pase/model/model_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "pase/model/model_problem.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::throws_naming;

std::vector<std::string> names(const Network& net) {
  std::vector<std::string> out;
  for (const auto& l : net.layers) out.push_back(l.name);
  return out;
}

// (layer, output) of every input of layer i; -1 for graph inputs and weights.
std::vector<std::pair<int, int>> sources(const Network& net, std::size_t i) {
  std::vector<std::pair<int, int>> out;
  for (const auto& s : net.layers[i].inputs) out.push_back({s.layer, s.output});
  return out;
}

// A model file with the given params, inputs and layers.
std::string model(const std::string& params, const std::string& inputs, const std::string& layers,
                  const std::string& extra = "") {
  return R"({"format": "pase-model", "version": 1, "name": "m", "params": )" + params + R"(, "inputs": )" + inputs +
         R"(, "layers": )" + layers + extra + "}";
}

TEST(ModelFileTest, loads_layers_params_and_shapes) {
  test::TempDir dir;
  const std::string path = dir.write("m.json", R"({
    "format": "pase-model", "version": 1, "name": "tiny", "description": "two layers",
    "params": {"batch": 8, "d": 64, "heads": 4, "dk": "d / heads"},
    "inputs": {"x": ["batch", "d"]},
    "layers": [
      {"name": "fc", "op": "FC", "in": ["x"], "units": "dk * 2"},
      {"name": "loss", "op": "SoftmaxCrossEntropy", "in": ["fc"]}
    ]
  })");
  const Network net = load_model(path);
  EXPECT_EQ(net.name, "tiny");
  EXPECT_EQ(net.file, path);
  EXPECT_EQ(net.cutoff, 4);  // the default
  EXPECT_EQ(net.params, Parameters({{"batch", 8}, {"d", 64}, {"heads", 4}, {"dk", 16}}));
  ASSERT_EQ(names(net), std::vector<std::string>({"fc", "loss"}));
  EXPECT_EQ(net.layers[0].op, "FC");
  EXPECT_EQ(net.layers[0].model->domain(), Shape({8, 32, 64}));  // (batch, units = 16 * 2, d)
  EXPECT_EQ(sources(net, 0), (std::vector<std::pair<int, int>>{{-1, 0}}));
  EXPECT_EQ(sources(net, 1), (std::vector<std::pair<int, int>>{{0, 0}}));
  EXPECT_EQ(net.layers[1].model->input_shapes()[0], Shape({8, 32}));
  EXPECT_TRUE(net.edges.empty());
}

TEST(ModelFileTest, set_overrides_a_parameter) {
  test::TempDir dir;
  const std::string path = dir.write(
      "m.json", model(R"({"batch": 8, "d": 64})", R"({"x": ["batch", "d"]})",
                      R"([{"name": "fc", "op": "FC", "in": ["x"], "units": "d / 2"}])", R"(, "cutoff": 2)"));
  const Network net = load_model(path, {"batch=32", "d=2 * 48"});
  EXPECT_EQ(net.params, Parameters({{"batch", 32}, {"d", 96}}));
  EXPECT_EQ(net.layers[0].model->domain(), Shape({32, 48, 96}));
  EXPECT_EQ(net.cutoff, 2);
  // Without overrides the file's values.
  EXPECT_EQ(load_model(path).layers[0].model->domain(), Shape({8, 32, 64}));
}

TEST(ModelFileTest, set_of_an_unknown_parameter_names_it_and_the_file) {
  test::TempDir dir;
  const std::string path =
      dir.write("m.json", model(R"({"batch": 8})", R"({"x": ["batch", 4]})",
                                R"([{"name": "e", "op": "Elementwise", "in": ["x", {"shape": ["batch", 4]}]}])"));
  EXPECT_TRUE(throws_naming([&] { load_model(path, {"seq=5"}); }, "--set", "seq", path, "batch"));
  EXPECT_TRUE(throws_naming([&] { load_model(path, {"batch"}); }, "--set", "batch"));
  EXPECT_TRUE(throws_naming([&] { load_model(path, {"=5"}); }, "--set"));
  EXPECT_TRUE(throws_naming([&] { load_model(path, {"batch=3/2"}); }, "--set batch", path));
}

TEST(ModelFileTest, a_huge_repeat_is_refused_naming_the_field) {
  test::TempDir dir;
  for (const char* repeat : {"1000000000", "4611686018427387904"}) {
    const std::string path = dir.write("m.json", model(R"({"n": 4})", R"({"x": ["n", "n"]})",
                                                       std::string(R"([{"name": "s", "block": "b", "in": ["x"], "repeat": )") +
                                                           repeat + "}]",
                                                       R"(, "blocks": {"b": {"inputs": ["h"], "layers": [
          {"name": "t", "op": "Transpose", "in": ["h"], "perm": [1, 0]}], "output": "t"}})"));
    EXPECT_TRUE(throws_naming([&] { load_model(path); }, path, "repeat", "limit")) << repeat;
  }
}

TEST(ModelFileTest, pointwise_ops_out_of_range_is_refused_not_truncated) {
  test::TempDir dir;
  for (const char* ops : {"2147483648", "-1"}) {
    const std::string path = dir.write(
        "m.json", model(R"({"n": 4})", R"({"x": ["n", "n"], "w": ["n", "n"]})",
                        std::string(R"([{"name": "mm", "op": "MatMul", "in": ["x", "w"], "pointwise_ops": )") + ops + "}]"));
    EXPECT_TRUE(throws_naming([&] { load_model(path); }, path, "pointwise_ops")) << ops;
  }
}

TEST(ModelFileTest, deeply_nested_lists_are_refused_before_they_overflow_the_stack) {
  test::TempDir dir;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const std::string where : {"block", "in", "repeat"}) {
    const std::string path =
        dir.write("m.json", model(R"({"n": 4})", R"({"x": ["n", "n"]})",
                                  R"([{"name": "s", "block": "b", "in": ["x"], ")" + where + R"(": )" + deep + "}]"));
    EXPECT_TRUE(throws_naming([&] { load_model(path); }, path, "nest more than 64 deep")) << where;
  }
  // Brackets inside strings do not count.
  const std::string path = dir.write(
      "m.json", model(R"({"n": 4})", R"({"x": ["n", "n"]})",
                      R"([{"name": "t", "op": "Transpose", "in": ["x"], "perm": [1, 0], "note": ")" + deep + R"("}])"));
  EXPECT_TRUE(throws_naming([&] { load_model(path); }, path, "field 'note'", "unexpected"));
}

TEST(ModelFileTest, dimensions_near_2_to_the_63_load_fast_and_overflowing_products_are_refused) {
  test::TempDir dir;
  for (const char* d : {"4611686018427387904", "9223372036854775807"}) {
    const std::string path = dir.write("m.json", model(std::string(R"({"n": )") + d + "}", R"({"x": [8, "n"], "w": ["n", 8]})",
                                                       R"([{"name": "mm", "op": "MatMul", "in": ["x", "w"]}])"));
    const Network net = load_model(path);
    const auto configs = net.layers[0].model->configs(64, 1);
    EXPECT_FALSE(configs.empty()) << d;
  }
  const std::string path = dir.write("m.json", model(R"({"n": 4611686018427387904})", R"({"x": ["n", 4]})",
                                                     R"([{"name": "r", "op": "Reshape", "in": ["x"], "shape": ["n", 4]}])"));
  EXPECT_TRUE(throws_naming([&] { load_model(path); }, path, "layer 'r", "more than 2^63 elements"));
}

TEST(ModelFileTest, negative_huge_or_non_finite_measured_costs_are_refused) {
  test::TempDir dir;
  for (const char* cost : {"-5", "1e308", "1e31"}) {
    const std::string path = dir.write(
        "m.json", std::string(R"({"format": "pase-model", "version": 1, "name": "m", "layers": [
          {"name": "a", "op": "Measured", "configs": [[1], [2]], "costs": [)") + cost + R"(, 1]},
          {"name": "b", "op": "Measured", "configs": [[1], [2]], "costs": [1, 1]}],
          "edges": [{"from": "a", "to": "b", "costs": [[0, 0], [0, 0]]}]})");
    EXPECT_TRUE(throws_naming([&] { load_model(path); }, path, "layer 'a'", "field 'costs'", "not a cost")) << cost;
    const std::string edge = dir.write(
        "e.json", std::string(R"({"format": "pase-model", "version": 1, "name": "m", "layers": [
          {"name": "a", "op": "Measured", "configs": [[1], [2]], "costs": [1, 1]},
          {"name": "b", "op": "Measured", "configs": [[1], [2]], "costs": [1, 1]}],
          "edges": [{"from": "a", "to": "b", "costs": [[0, )") + cost + R"(], [0, 0]]}]})");
    EXPECT_TRUE(throws_naming([&] { load_model(edge); }, edge, "edges[0].costs", "not a cost")) << cost;
  }
  const std::string overflow = dir.write("o.json", R"({"format": "pase-model", "version": 1, "name": "m", "cutoff": 1e999})");
  EXPECT_TRUE(throws_naming([&] { load_model(overflow); }, overflow, "not valid JSON"));
}

TEST(ModelFileTest, blocks_repeat_in_a_chain) {
  test::TempDir dir;
  // block "layer" (inputs h, bias): add = h + bias; t = transpose(add); mix = t + w (a graph input).
  const std::string path = dir.write("m.json", R"({
    "format": "pase-model", "version": 1, "name": "blocks", "params": {"n": 4, "reps": 3},
    "inputs": {"x": ["n", "n"], "w": ["n", "n"]},
    "blocks": {
      "layer": {
        "inputs": ["h", "bias"],
        "layers": [
          {"name": "add", "op": "Elementwise", "in": ["h", "bias"]},
          {"name": "t", "op": "Transpose", "in": ["add"], "perm": [1, 0]},
          {"name": "mix", "op": "Elementwise", "in": ["t", "w"]}
        ],
        "output": "mix"
      }
    },
    "layers": [
      {"name": "first", "op": "Elementwise", "in": ["x", "w"]},
      {"name": "stack", "block": "layer", "in": ["first", "first"], "repeat": "reps"},
      {"name": "out", "op": "Softmax", "in": ["stack"]}
    ]
  })");
  const Network net = load_model(path);
  const std::vector<std::string> expected = {"first",       "stack.0.add", "stack.0.t", "stack.0.mix",
                                             "stack.1.add", "stack.1.t",   "stack.1.mix", "stack.2.add",
                                             "stack.2.t",   "stack.2.mix", "out"};
  ASSERT_EQ(names(net), expected);
  using Sources = std::vector<std::pair<int, int>>;
  // Instance 0 receives `in`: first, first.
  EXPECT_EQ(sources(net, 1), (Sources{{0, 0}, {0, 0}}));
  EXPECT_EQ(sources(net, 2), (Sources{{1, 0}}));
  EXPECT_EQ(sources(net, 3), (Sources{{2, 0}, {-1, 0}}));  // w is a graph input: no producer
  // Later instances: the previous instance's output first, the same other inputs.
  EXPECT_EQ(sources(net, 4), (Sources{{3, 0}, {0, 0}}));
  EXPECT_EQ(sources(net, 7), (Sources{{6, 0}, {0, 0}}));
  // The block's name is the last instance's output.
  EXPECT_EQ(sources(net, 10), (Sources{{9, 0}}));
  // With --set the repeat count follows.
  EXPECT_EQ(load_model(path, {"reps=1"}).layers.size(), 5u);
}

TEST(ModelFileTest, blocks_nest) {
  test::TempDir dir;
  const std::string path = dir.write("m.json", R"({
    "format": "pase-model", "version": 1, "name": "nested", "inputs": {"x": [4, 4]},
    "blocks": {
      "unit": {"inputs": ["h"], "layers": [{"name": "t", "op": "Transpose", "in": ["h"], "perm": [1, 0]}],
               "output": "t"},
      "pair": {"inputs": ["y"], "layers": [{"name": "u", "block": "unit", "in": ["y"], "repeat": 2}], "output": "u"}
    },
    "layers": [
      {"name": "e", "op": "Elementwise", "in": ["x", "x"]},
      {"name": "p", "block": "pair", "in": ["e"], "repeat": 2},
      {"name": "s", "op": "Softmax", "in": ["p"]}
    ]
  })");
  const Network net = load_model(path);
  const std::vector<std::string> expected = {"e", "p.0.u.0.t", "p.0.u.1.t", "p.1.u.0.t", "p.1.u.1.t", "s"};
  ASSERT_EQ(names(net), expected);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(net.layers[i].inputs.at(0).layer, i - 1) << net.layers[i].name;
}

TEST(ModelFileTest, extends_takes_the_base_and_overrides_its_params) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "family");
  dir.write("family/base.json", R"({
    "format": "pase-model", "version": 1, "name": "base", "params": {"n": 4, "m": 2},
    "inputs": {"x": ["n", "m"]},
    "layers": [{"name": "e", "op": "Elementwise", "in": ["x", {"shape": ["n", "m"]}]}]
  })");
  const std::string preset = dir.write("preset.json", R"({
    "format": "pase-model", "version": 1, "extends": "family/base.json", "name": "preset", "params": {"n": 8}
  })");
  const Network net = load_model(preset);
  EXPECT_EQ(net.name, "preset");
  EXPECT_EQ(net.params, Parameters({{"n", 8}, {"m", 2}}));
  ASSERT_EQ(net.layers.size(), 1u);
  EXPECT_EQ(net.layers[0].model->domain(), Shape({8, 2}));
  // --set reaches parameters of the base too.
  EXPECT_EQ(load_model(preset, {"m=6"}).layers[0].model->domain(), Shape({8, 6}));
}

TEST(ModelFileTest, extends_errors_name_the_file) {
  test::TempDir dir;
  const std::string missing =
      dir.write("a.json", R"({"format": "pase-model", "version": 1, "name": "a", "extends": "nowhere.json"})");
  EXPECT_TRUE(throws_naming([&] { load_model(missing); }, "nowhere.json"));
  const std::string loop =
      dir.write("loop.json", R"({"format": "pase-model", "version": 1, "name": "a", "extends": "loop.json"})");
  EXPECT_TRUE(throws_naming([&] { load_model(loop); }, "loop.json", "extends"));
}

TEST(ModelFileTest, numbered_outputs_select_a_tensor) {
  test::TempDir dir;
  const std::string path = dir.write(
      "m.json", model("{}", R"({"x": [4, 6]})", R"([
        {"name": "s", "op": "Split", "in": ["x"], "parts": 3, "axis": 1},
        {"name": "a", "op": "Elementwise", "in": ["s:2", "s"]},
        {"name": "b", "op": "Elementwise", "in": ["s:1", "s:0"]}
      ])"));
  const Network net = load_model(path);
  using Sources = std::vector<std::pair<int, int>>;
  EXPECT_EQ(sources(net, 1), (Sources{{0, 2}, {0, 0}}));  // "s" is "s:0"
  EXPECT_EQ(sources(net, 2), (Sources{{0, 1}, {0, 0}}));
  EXPECT_EQ(net.layers[1].model->input_shapes()[0], Shape({4, 2}));
}

TEST(ModelFileTest, numbered_outputs_out_of_range_are_errors) {
  test::TempDir dir;
  const auto with = [&](const std::string& ref) {
    return dir.write("m.json", model("{}", R"({"x": [4, 6]})", R"([
        {"name": "s", "op": "Split", "in": ["x"], "parts": 3, "axis": 1},
        {"name": "a", "op": "Elementwise", "in": [")" + ref + R"(", "s"]}
      ])"));
  };
  const std::string three = with("s:3");
  EXPECT_TRUE(throws_naming([&] { load_model(three); }, three, "layer 'a'", "field 'in'", "3 output(s)"));
  const std::string letter = with("s:x");
  EXPECT_TRUE(throws_naming([&] { load_model(letter); }, letter, "layer 'a'", "field 'in'", "s:x"));
  const std::string graph_input = with("x:1");
  EXPECT_TRUE(throws_naming([&] { load_model(graph_input); }, "layer 'a'", "field 'in'"));
}

TEST(ModelFileTest, inline_weights_have_no_producer) {
  test::TempDir dir;
  const std::string path = dir.write(
      "m.json", model(R"({"k": 6})", R"({"x": [4, "k"]})", R"([
        {"name": "mm", "op": "MatMul", "in": ["x", {"shape": ["k", 3]}]},
        {"name": "e", "op": "Elementwise", "in": ["mm", {"shape": [4, 3]}]}
      ])",
                                       R"(, "cutoff": 1)"));
  const Network net = load_model(path);
  using Sources = std::vector<std::pair<int, int>>;
  EXPECT_EQ(sources(net, 0), (Sources{{-1, 0}, {-1, 0}}));
  EXPECT_EQ(sources(net, 1), (Sources{{0, 0}, {-1, 0}}));
  EXPECT_EQ(net.layers[0].model->input_shapes()[1], Shape({6, 3}));
  ProblemOptions o;
  o.procs = 2;
  const ModelProblem mp = build_problem(net, o);
  ASSERT_EQ(mp.problem.edges.size(), 1u);  // only mm -> e
  EXPECT_EQ(mp.problem.edges[0].from, 0);
  EXPECT_EQ(mp.problem.edges[0].to, 1);
}

// A head split: a projection's output split along d = h d_k reaches ReshapeAxes's head split through a free edge
// when the split divides h; a split that does not (3 of h = 2) is a re-layout whatever ReshapeAxes picks.
TEST(ModelFileTest, reshape_axes_takes_a_head_split_without_communication) {
  test::TempDir dir;
  const std::string path = dir.write(
      "m.json", model("{}", R"({"x": [2, 4, 6]})", R"([
        {"name": "p", "op": "Einsum", "in": ["x", {"shape": [6, 6]}], "equation": "ble,ef->blf"},
        {"name": "r", "op": "ReshapeAxes", "in": ["p"], "shape": [2, 4, 2, 3]}
      ])",
                      R"(, "cutoff": 1)"));
  const Network net = load_model(path);
  ASSERT_EQ(names(net), std::vector<std::string>({"p", "r"}));
  for (const std::int64_t parts : {2, 3}) {
    ProblemOptions o;
    o.procs = parts;
    const ModelProblem mp = build_problem(net, o);
    ASSERT_EQ(mp.problem.edges.size(), 1u);
    const auto& edge = mp.problem.edges[0];
    int split_along_d = 0;
    for (std::size_t i = 0; i < mp.configs[0].size(); ++i) {
      if (net.layers[0].model->output_split(0, mp.configs[0][i]) != Config({1, 1, parts})) continue;
      ++split_along_d;
      double cheapest = std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < mp.configs[1].size(); ++j) {
        const double c = edge.cost(i, j, mp.configs[1].size());
        cheapest = std::min(cheapest, c);
        if (mp.configs[1][j] == Config({1, 1, parts, 1})) {
          EXPECT_EQ(c, 0.0);
        }
      }
      if (parts == 2) {
        EXPECT_EQ(cheapest, 0.0);
      } else {
        EXPECT_GT(cheapest, 0.0);
      }
    }
    EXPECT_GT(split_along_d, 0);
  }
}

TEST(ModelFileTest, reshape_becomes_ravel_then_unravel) {
  test::TempDir dir;
  const std::string path = dir.write(
      "m.json", model("{}", R"({"x": [4, 6]})", R"([
        {"name": "e", "op": "Elementwise", "in": ["x", {"shape": [4, 6]}]},
        {"name": "r", "op": "Reshape", "in": ["e"], "shape": [2, 12]},
        {"name": "s", "op": "Softmax", "in": ["r"]}
      ])"));
  const Network net = load_model(path);
  ASSERT_EQ(names(net), std::vector<std::string>({"e", "r.ravel", "r", "s"}));
  EXPECT_EQ(net.layers[1].op, "Ravel");
  EXPECT_EQ(net.layers[2].op, "Unravel");
  EXPECT_EQ(net.layers[1].model->output_shapes()[0], Shape({24}));
  EXPECT_EQ(net.layers[2].model->output_shapes()[0], Shape({2, 12}));
  using Sources = std::vector<std::pair<int, int>>;
  EXPECT_EQ(sources(net, 1), (Sources{{0, 0}}));
  EXPECT_EQ(sources(net, 2), (Sources{{1, 0}}));
  EXPECT_EQ(sources(net, 3), (Sources{{2, 0}}));
  ProblemOptions o;
  o.procs = 4;
  const ModelProblem mp = build_problem(net, o);
  ASSERT_EQ(mp.problem.edges.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(mp.problem.edges[i].from, i);
    EXPECT_EQ(mp.problem.edges[i].to, i + 1);
  }
}

TEST(ModelFileTest, one_tensor_used_twice_counts_once_or_twice) {
  // sq = e * e: two tensors between e and sq. `last` counts one, `sum` both (here twice the same).
  test::TempDir dir;
  const std::string path = dir.write(
      "m.json", model("{}", R"({"x": [4, 8]})", R"([
        {"name": "e", "op": "Elementwise", "in": ["x", {"shape": [4, 8]}]},
        {"name": "sq", "op": "Elementwise", "in": ["e", "e"]}
      ])"));
  const Network net = load_model(path);
  ProblemOptions o;
  o.procs = 2;
  const ModelProblem last = build_problem(net, o);
  o.parallel_edges = ParallelEdges::sum;
  const ModelProblem sum = build_problem(net, o);
  ASSERT_EQ(last.problem.edges.size(), 1u);
  ASSERT_EQ(sum.problem.edges.size(), 1u);
  const auto& l = *last.problem.edges[0].costs;
  const auto& s = *sum.problem.edges[0].costs;
  ASSERT_EQ(l.size(), s.size());
  double largest = 0;
  for (std::size_t i = 0; i < l.size(); ++i) {
    EXPECT_EQ(s[i], 2 * l[i]);
    largest = std::max(largest, l[i]);
  }
  EXPECT_GT(largest, 0.0);
}

TEST(ModelFileTest, measured_layers_and_edges) {
  test::TempDir dir;
  const std::string path = dir.write("m.json", R"({
    "format": "pase-model", "version": 1, "name": "measured",
    "layers": [
      {"name": "a", "op": "Measured", "dims": "bn", "configs": [[1, 1], [2, 1]], "costs": [2.0e9, 1.0e9]},
      {"name": "b", "op": "Measured", "configs": [[1], [2]], "costs": [5, 4]}
    ],
    "edges": [{"from": "a", "to": "b", "costs": [[0, 1.5], [2, 0]]}]
  })");
  const Network net = load_model(path);
  ASSERT_EQ(net.layers.size(), 2u);
  EXPECT_EQ(net.layers[0].model->letters(), "bn");
  EXPECT_EQ(net.layers[0].model->configs(8, 4), std::vector<Config>({{1, 1}, {2, 1}}));
  ASSERT_EQ(net.edges.size(), 1u);
  EXPECT_EQ(net.edges[0].from, 0);
  EXPECT_EQ(net.edges[0].to, 1);
  EXPECT_EQ(net.edges[0].costs, (std::vector<std::vector<double>>{{0, 1.5}, {2, 0}}));
}

// ------------------------------------------------------------------------------------------ errors

TEST(ModelFileTest, unreadable_files_name_the_file) {
  test::TempDir dir;
  const std::string missing = dir.file("missing.json");
  EXPECT_TRUE(throws_naming([&] { load_model(missing); }, missing));
  const std::string malformed = dir.write("bad.json", "{ \"format\": \"pase-model\", ");
  EXPECT_TRUE(throws_naming([&] { load_model(malformed); }, malformed, "JSON"));
  const std::string array = dir.write("array.json", "[1, 2]");
  EXPECT_TRUE(throws_naming([&] { load_model(array); }, array));
}

TEST(ModelFileTest, header_errors_name_the_field) {
  test::TempDir dir;
  const std::string layers = R"("layers": [{"name": "e", "op": "Elementwise", "in": ["x", "x"]}], "inputs": {"x": [4]})";
  const auto check = [&](const std::string& header, const std::string& field) {
    const std::string path = dir.write("m.json", "{" + header + layers + "}");
    EXPECT_TRUE(throws_naming([&] { load_model(path); }, path, field)) << header;
  };
  check(R"("version": 1, "name": "m", )", "field 'format'");
  check(R"("format": "onnx", "version": 1, "name": "m", )", "field 'format'");
  check(R"("format": "pase-model", "version": 2, "name": "m", )", "field 'version'");
  check(R"("format": "pase-model", "version": 1, )", "field 'name'");
  check(R"("format": "pase-model", "version": 1, "name": "m", "cutoff": 0, )", "field 'cutoff'");
  check(R"("format": "pase-model", "version": 1, "name": "m", "params": {"n": 1.5}, )", "params.n");
  check(R"("format": "pase-model", "version": 1, "name": "m", "params": [1], )", "field 'params'");
  const std::string no_layers = dir.write("n.json", R"({"format": "pase-model", "version": 1, "name": "m"})");
  EXPECT_TRUE(throws_naming([&] { load_model(no_layers); }, no_layers, "field 'layers'"));
}

// The error for a model whose only layers are `layers` must name the file and all of `parts`.
void expect_layer_error(const std::string& layers, const std::vector<std::string>& parts,
                        const std::string& params = R"({"n": 4})") {
  test::TempDir dir;
  const std::string path = dir.write("m.json", model(params, R"({"x": [4, 6], "img": [2, 3, 8, 8]})", layers));
  try {
    load_model(path);
    ADD_FAILURE() << "no error for " << layers;
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message << " lacks " << part;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  }
}

TEST(ModelFileTest, layer_errors_name_the_file_the_layer_and_the_field) {
  expect_layer_error(R"([{"name": "c", "op": "Conv2D", "in": ["img"]}])", {"layer 'c'", "field 'op'", "Conv2D"});
  expect_layer_error(R"([{"name": "c", "op": "Conv", "in": ["img"], "filter": [4, 5, 3, 3]}])",
                     {"layer 'c'", "field 'filter'"});
  expect_layer_error(R"([{"name": "e", "op": "Elementwise", "in": ["x", "x"], "axis": 1}])",
                     {"layer 'e'", "field 'axis'", "not an attribute"});
  expect_layer_error(R"([{"name": "e", "op": "Elementwise", "in": ["x", "y"]}])", {"layer 'e'", "field 'in'", "'y'"});
  expect_layer_error(R"([{"name": "e", "op": "Elementwise", "in": ["x", "e"]}])", {"layer 'e'", "field 'in'"});
  expect_layer_error(R"([{"name": "e", "op": "Elementwise", "in": ["x", "x"]},
                         {"name": "e", "op": "Elementwise", "in": ["x", "x"]}])",
                     {"layer 'e'", "field 'name'"});
  expect_layer_error(R"([{"name": "e", "in": ["x", "x"]}])", {"layer 'e'", "'op'"});
  expect_layer_error(R"([{"op": "Elementwise", "in": ["x", "x"]}])", {"'name'"});
  expect_layer_error(R"([{"name": "e", "op": "Elementwise", "in": "x"}])", {"layer 'e'", "field 'in'"});
  expect_layer_error(R"([{"name": "f", "op": "FC", "in": ["x"], "units": "n / 3"}])", {"units", "not exact"});
  expect_layer_error(R"([{"name": "f", "op": "FC", "in": ["x"], "units": "seq"}])", {"units", "seq"});
  expect_layer_error(R"([{"name": "w", "op": "Elementwise", "in": [{"shape": [4, 0]}, "x"]}])", {"field 'in'"});
  expect_layer_error(R"([{"name": "w", "op": "Elementwise", "in": [{"size": [4, 6]}, "x"]}])",
                     {"layer 'w'", "field 'in'", "shape"});
  expect_layer_error(R"([{"name": "f", "op": "FC", "in": ["x"], "units": 4, "dims": "bn"}])",
                     {"layer 'f'", "field 'dims'"});
  expect_layer_error(R"([{"name": "e", "op": "Einsum", "in": ["x", "x"], "equation": 5}])",
                     {"layer 'e'", "field 'equation'"});
  expect_layer_error(R"([{"name": "e", "op": "Elementwise", "in": ["x", "x"]},
                         {"name": "emb", "op": "Embedding", "in": ["e"], "vocab": 8, "dim": 4}])",
                     {"layer 'emb'", "field 'in'"});
}

TEST(ModelFileTest, attribute_expression_and_inline_shape_errors_name_the_layer) {
  // model_file.hpp: "Every error is one line naming the file, the layer and the field".
  expect_layer_error(R"([{"name": "f", "op": "FC", "in": ["x"], "units": "n / 3"}])",
                     {"layer 'f'", "field 'units'", "not exact"});
  expect_layer_error(R"([{"name": "f", "op": "FC", "in": ["x"], "units": "seq"}])",
                     {"layer 'f'", "field 'units'", "seq"});
  expect_layer_error(R"([{"name": "w", "op": "Elementwise", "in": [{"shape": [4, 0]}, "x"]}])",
                     {"layer 'w'", "field 'in'"});
}

TEST(ModelFileTest, block_errors_name_the_field) {
  const std::string blocks = R"(, "blocks": {"b": {"inputs": ["h"], "layers": [
      {"name": "t", "op": "Transpose", "in": ["h"], "perm": [1, 0]}], "output": "t"}})";
  test::TempDir dir;
  const auto check = [&](const std::string& layers, const std::vector<std::string>& parts) {
    const std::string path = dir.write("m.json", model(R"({"n": 0})", R"({"x": [4, 4]})", layers, blocks));
    try {
      load_model(path);
      ADD_FAILURE() << "no error for " << layers;
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message << " lacks " << part;
    }
  };
  check(R"([{"name": "s", "block": "c", "in": ["x"]}])", {"layer 's'", "field 'block'"});
  check(R"([{"name": "s", "block": "b", "in": ["x", "x"]}])", {"layer 's'", "field 'in'"});
  check(R"([{"name": "s", "block": "b", "in": ["x"], "repeat": 0}])", {"layer 's'", "field 'repeat'"});
  check(R"([{"name": "s", "block": "b", "in": ["x"], "repeat": "n"}])", {"layer 's'", "field 'repeat'"});
}

TEST(ModelFileTest, edge_errors_name_the_field) {
  test::TempDir dir;
  const std::string layers = R"([{"name": "a", "op": "Measured", "configs": [[1], [2]], "costs": [1, 2]},
                                 {"name": "b", "op": "Measured", "configs": [[1], [2]], "costs": [1, 2]}])";
  const auto check = [&](const std::string& edges, const std::string& field) {
    const std::string path = dir.write("m.json", model("{}", "{}", layers, R"(, "edges": )" + edges));
    EXPECT_TRUE(throws_naming([&] { load_model(path); }, path, field)) << edges;
  };
  check(R"([{"from": "a", "to": "c", "costs": [[0, 0], [0, 0]]}])", "edges[0].to");
  check(R"([{"from": "z", "to": "b", "costs": [[0, 0], [0, 0]]}])", "edges[0].from");
  check(R"([{"from": "a", "to": "a", "costs": [[0, 0], [0, 0]]}])", "edges[0]");
  check(R"([{"from": "a", "to": "b"}])", "edges[0]");
  check(R"([{"from": "a", "to": "b", "costs": [[0, "x"], [0, 0]]}])", "edges[0].costs");
  check(R"({"from": "a"})", "field 'edges'");
}

}  // namespace
}  // namespace pase
