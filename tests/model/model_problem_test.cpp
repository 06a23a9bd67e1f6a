// build_problem: vertex costs, edge cost matrices (worked by hand with r = 10 FLOP per word),
// parallel edges, explicit edges, the data-parallel configurations, and errors.
#include "pase/model/model_problem.hpp"

#include <gtest/gtest.h>

#include "pase/model/model_file.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::throws_naming;

// 0.02 TFLOP/s and 16 GB/s: r = 20 GFLOP/s / 2 G words/s = 10 FLOP per word.
ProblemOptions options(std::int64_t procs, ParallelEdges parallel = ParallelEdges::last) {
  ProblemOptions o;
  o.procs = procs;
  o.cluster = Cluster{0.02, 16.0};
  o.parallel_edges = parallel;
  return o;
}

const ProblemEdge* find_edge(const Problem& p, int from, int to) {
  for (const auto& e : p.edges)
    if (e.from == from && e.to == to) return &e;
  return nullptr;
}

// relu (Elementwise of x and a weight) -> t (Transpose) -> e2 (Elementwise with a weight), all 4 x 4,
// cutoff 2: each layer has the configurations (1,1), (1,2), (2,1) on 2 devices.
constexpr const char* chain_model = R"({
  "format": "pase-model", "version": 1, "name": "chain", "params": {"n": 4}, "cutoff": 2,
  "inputs": {"x": ["n", "n"]},
  "layers": [
    {"name": "relu", "op": "Elementwise", "in": ["x", {"shape": ["n", "n"]}]},
    {"name": "t", "op": "Transpose", "in": ["relu"], "perm": [1, 0]},
    {"name": "e2", "op": "Elementwise", "in": ["t", {"shape": [4, 4]}]}
  ]
})";

TEST(ModelProblemTest, configurations_and_vertex_costs) {
  test::TempDir dir;
  const ModelProblem mp = build_problem(load_model(dir.write("chain.json", chain_model)), options(2));
  const std::vector<Config> configs = {{1, 1}, {1, 2}, {2, 1}};
  ASSERT_EQ(mp.problem.vertex_count(), 3);
  for (int v = 0; v < 3; ++v) EXPECT_EQ(mp.configs[v], configs);
  EXPECT_EQ(mp.problem.vertices[0].name, "relu");
  EXPECT_EQ(mp.problem.vertices[0].costs, std::vector<double>({16, 8, 8}));  // 16 elements, 8 per device
  EXPECT_EQ(mp.problem.vertices[1].costs, std::vector<double>({0, 0, 0}));
  EXPECT_EQ(mp.problem.vertices[2].costs, std::vector<double>({16, 8, 8}));
}

TEST(ModelProblemTest, edge_matrices_of_a_small_chain_worked_by_hand) {
  test::TempDir dir;
  const ModelProblem mp = build_problem(load_model(dir.write("chain.json", chain_model)), options(2));
  // Weights and graph inputs make no edges: exactly relu -> t and t -> e2.
  ASSERT_EQ(mp.problem.edges.size(), 2u);
  // relu -> t. Entry = 2 (forward and backward) * 10 FLOP/word * words the target device lacks.
  //   relu (1,1): part 4x4 on 1 device. t (1,1): has it: 0. t (1,2) or (2,1): more devices, needs its
  //     whole part of 8: 160.
  //   relu (1,2): part 4x2 on 2. t (1,1): needs 16, holds 8: 160. t (1,2): 0.
  //     t (2,1): needs 2x4 = 8, holds min(4,2) * min(2,4) = 4: 80.
  //   relu (2,1): the mirror image.
  const ProblemEdge* relu_t = find_edge(mp.problem, 0, 1);
  ASSERT_NE(relu_t, nullptr);
  EXPECT_EQ(*relu_t->costs, std::vector<double>({0, 160, 160, /**/ 160, 0, 80, /**/ 160, 80, 0}));
  // t -> e2: t's output is split by its configuration permuted: (1,2) splits the output (2,1).
  //   t (1,1) -> output (1,1): as above [0, 160, 160]
  //   t (1,2) -> output (2,1), part 2x4: e2 (1,1) 160; e2 (1,2) 4x2: holds min(2,4) * min(4,2) = 4 -> 80;
  //     e2 (2,1): 0
  //   t (2,1) -> output (1,2): [160, 0, 80]
  const ProblemEdge* t_e2 = find_edge(mp.problem, 1, 2);
  ASSERT_NE(t_e2, nullptr);
  EXPECT_EQ(*t_e2->costs, std::vector<double>({0, 160, 160, /**/ 160, 80, 0, /**/ 160, 0, 80}));
}

TEST(ModelProblemTest, data_parallel_configuration_splits_only_the_batch) {
  test::TempDir dir;
  const ModelProblem mp = build_problem(load_model(dir.write("chain.json", chain_model)), options(2));
  // Letters "bc": batch is dimension 0; the data-parallel configuration is (2,1), index 2.
  EXPECT_EQ(mp.data_parallel, std::vector<int>({2, 2, 2}));
  // Its cost: 8 + 0 + 8, relu -> t free, t (2,1) -> e2 (2,1) costs 80 (t's output is split (1,2)).
  EXPECT_EQ(evaluate(mp.problem, mp.data_parallel), 96.0);
}

TEST(ModelProblemTest, dims_choose_the_data_parallel_dimension) {
  test::TempDir dir;
  const std::string path = dir.write("dims.json", R"({
    "format": "pase-model", "version": 1, "name": "dims", "cutoff": 2, "inputs": {"x": [4, 4]},
    "layers": [{"name": "e", "op": "Elementwise", "in": ["x", {"shape": [4, 4]}], "dims": "cb"}]
  })");
  // 'b' is now dimension 1: the configuration (1, 2), index 1.
  EXPECT_EQ(build_problem(load_model(path), options(2)).data_parallel, std::vector<int>({1}));
}

// A Split whose two outputs both feed one Einsum: two tensors between the same two layers.
constexpr const char* parallel_model = R"({
  "format": "pase-model", "version": 1, "name": "parallel", "cutoff": 2,
  "inputs": {"x": [4, 8]},
  "layers": [
    {"name": "s", "op": "Split", "in": ["x"], "parts": 2, "axis": 1},
    {"name": "mm", "op": "Einsum", "in": ["s:0", "s:1"], "equation": "ab,bc->ac"}
  ]
})";

// s has configurations (1,1), (2,1) (axis 1 never split); mm (a, c, b) has (1,1,1), (1,1,2),
// (1,2,1), (2,1,1). Input 0 of mm (a, b) is split (1,1), (1,2), (1,1), (2,1); input 1 (b, c) is
// split (1,1), (2,1), (1,2), (1,1). Each output of s (4 x 4) is split like s.
//   s (1,1), part 4x4 on 1 device: 0 to a (1,1) target, else the whole 8 -> 160.
//   s (2,1), part 2x4 on 2 devices: to (1,1) needs 16 holds 8 -> 160; to (1,2) 4x2 holds 2x2 -> 80;
//     to (2,1) -> 0.
const std::vector<double> first_tensor = {0, 160, 0, 160, /**/ 160, 80, 160, 0};
const std::vector<double> second_tensor = {0, 160, 160, 0, /**/ 160, 0, 80, 160};

TEST(ModelProblemTest, parallel_edges_keep_the_last_tensor_by_default) {
  test::TempDir dir;
  const ModelProblem mp = build_problem(load_model(dir.write("p.json", parallel_model)), options(2));
  ASSERT_EQ(mp.configs[1], std::vector<Config>({{1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {2, 1, 1}}));
  ASSERT_EQ(mp.problem.edges.size(), 1u);
  EXPECT_EQ(*mp.problem.edges[0].costs, second_tensor);
}

TEST(ModelProblemTest, parallel_edges_sum_counts_every_tensor) {
  test::TempDir dir;
  const ModelProblem mp =
      build_problem(load_model(dir.write("p.json", parallel_model)), options(2, ParallelEdges::sum));
  ASSERT_EQ(mp.problem.edges.size(), 1u);
  std::vector<double> both(8);
  for (int i = 0; i < 8; ++i) both[i] = first_tensor[i] + second_tensor[i];
  EXPECT_EQ(*mp.problem.edges[0].costs, both);
}

TEST(ModelProblemTest, parse_parallel_edges) {
  EXPECT_EQ(parse_parallel_edges("last"), ParallelEdges::last);
  EXPECT_EQ(parse_parallel_edges("sum"), ParallelEdges::sum);
  EXPECT_TRUE(throws_naming([] { parse_parallel_edges("first"); }, "--parallel-edges", "first"));
}

TEST(ModelProblemTest, explicit_edges_replace_tensor_edges) {
  test::TempDir dir;
  std::string text = parallel_model;
  text.insert(text.rfind('}'), R"(, "edges": [{"from": "s", "to": "mm", "costs": [[1, 2, 3, 4], [5, 6, 7, 8]]}])");
  const ModelProblem mp = build_problem(load_model(dir.write("p.json", text)), options(2));
  ASSERT_EQ(mp.problem.edges.size(), 1u);
  EXPECT_EQ(*mp.problem.edges[0].costs, std::vector<double>({1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(ModelProblemTest, an_explicit_edge_written_the_other_way_round_also_replaces_the_tensor_edge) {
  // inputs/README.md: "An explicit edge replaces any edge the tensors would create between the
  // same two layers." Here the tensor goes relu -> t and the explicit edge is given as t -> relu.
  test::TempDir dir;
  std::string text = chain_model;
  text.insert(text.rfind('}'),
              R"(, "edges": [{"from": "t", "to": "relu", "costs": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}])");
  const ModelProblem mp = build_problem(load_model(dir.write("c.json", text)), options(2));
  int between = 0;
  for (const auto& e : mp.problem.edges)
    if ((e.from == 0 && e.to == 1) || (e.from == 1 && e.to == 0)) ++between;
  EXPECT_EQ(between, 1);
  const ProblemEdge* explicit_edge = find_edge(mp.problem, 1, 0);
  ASSERT_NE(explicit_edge, nullptr);
  EXPECT_EQ(*explicit_edge->costs, std::vector<double>({1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(ModelProblemTest, measured_layers_with_explicit_edges) {
  test::TempDir dir;
  const std::string path = dir.write("m.json", R"({
    "format": "pase-model", "version": 1, "name": "measured",
    "layers": [
      {"name": "a", "op": "Measured", "configs": [[1], [2]], "costs": [10, 6]},
      {"name": "b", "op": "Measured", "configs": [[1], [2], [4]], "costs": [9, 5, 3.5]}
    ],
    "edges": [{"from": "a", "to": "b", "costs": [[0, 1, 2], [3, 0, 4]]}]
  })");
  const ModelProblem mp = build_problem(load_model(path), options(4));
  EXPECT_EQ(mp.problem.vertices[0].costs, std::vector<double>({10, 6}));
  EXPECT_EQ(mp.problem.vertices[1].costs, std::vector<double>({9, 5, 3.5}));
  ASSERT_EQ(mp.problem.edges.size(), 1u);
  EXPECT_EQ(mp.problem.edges[0].from, 0);
  EXPECT_EQ(mp.problem.edges[0].to, 1);
  EXPECT_EQ(*mp.problem.edges[0].costs, std::vector<double>({0, 1, 2, 3, 0, 4}));
  EXPECT_EQ(mp.configs[1], std::vector<Config>({{1}, {2}, {4}}));
}

TEST(ModelProblemTest, explicit_edges_of_the_wrong_size_name_the_field) {
  test::TempDir dir;
  const auto model = [&](const std::string& costs) {
    return dir.write("m.json", R"({
      "format": "pase-model", "version": 1, "name": "measured",
      "layers": [
        {"name": "a", "op": "Measured", "configs": [[1], [2]], "costs": [10, 6]},
        {"name": "b", "op": "Measured", "configs": [[1], [2], [4]], "costs": [9, 5, 3]}
      ],
      "edges": [{"from": "a", "to": "b", "costs": )" + costs + "}]}");
  };
  const std::string rows = model("[[0, 1, 2]]");
  EXPECT_TRUE(throws_naming([&] { build_problem(load_model(rows), options(4)); }, rows, "edges[0].costs"));
  const std::string columns = model("[[0, 1, 2], [3, 4]]");
  EXPECT_TRUE(throws_naming([&] { build_problem(load_model(columns), options(4)); }, columns, "edges[0].costs"));
}

TEST(ModelProblemTest, rejects_fewer_than_one_device) {
  test::TempDir dir;
  const Network net = load_model(dir.write("chain.json", chain_model));
  EXPECT_TRUE(throws_naming([&] { build_problem(net, options(0)); }, "--procs"));
}

TEST(ModelProblemTest, rejects_a_model_with_nothing_to_split) {
  test::TempDir dir;
  const std::string path = dir.write("ones.json", R"({
    "format": "pase-model", "version": 1, "name": "ones", "inputs": {"x": [1, 1]},
    "layers": [{"name": "e", "op": "Elementwise", "in": ["x", {"shape": [1, 1]}]}]
  })");
  const Network net = load_model(path);
  EXPECT_TRUE(throws_naming([&] { build_problem(net, options(4)); }, path, "4 devices"));
  // On one device there is nothing to split anyway: fine.
  EXPECT_NO_THROW(build_problem(net, options(1)));
}

TEST(ModelProblemTest, rejects_a_bad_cluster) {
  test::TempDir dir;
  const Network net = load_model(dir.write("chain.json", chain_model));
  ProblemOptions o = options(2);
  o.cluster.bw_gbytes = 0;
  EXPECT_TRUE(throws_naming([&] { build_problem(net, o); }, "--bw"));
}

}  // namespace
}  // namespace pase
