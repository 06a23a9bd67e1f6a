#include "pase/sweep/sweep_spec.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "pase/sweep/sweep_points.hpp"
#include "support/commands.hpp"

namespace pase {
namespace {

const std::string data = std::string(PASE_SOURCE_DIR) + "/tests/sweep/data";

// Every point of a small spec.
std::vector<SweepPoint> all_points(const SweepSpec& spec) {
  const SweepPoints points(spec);
  std::vector<SweepPoint> all;
  for (std::uint64_t i = 0; i < points.size(); ++i) all.push_back(points.at(i));
  return all;
}

// Writes `body` (after the header) as a spec in a fresh folder and loads it.
struct SpecFile {
  test::TempDir dir;
  std::string path;
  explicit SpecFile(const std::string& body) : path(dir.file("spec.yaml")) {
    test::write_file(path, "format: pase-sweep\nversion: 1\n" + body);
  }
  SweepSpec load() const { return load_sweep_spec(path); }
};

std::string models(const std::string& extra = "") {
  return "models:\n  - file: " + data + "/mlp.json\n" + extra;
}

// The message of the std::invalid_argument that loading `body` throws.
std::string error_of(const std::string& body) {
  SpecFile spec(body);
  try {
    spec.load();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "the spec loaded without error:\n" << body;
  return "";
}

TEST(SweepSpecTest, reads_lists_ranges_and_ellipses) {
  SpecFile file(models() +
                "axes:\n"
                "  procs: [4, 8, ..., 64]\n"
                "  flops: {from: 10, to: 30, step: 10}\n"
                "  bw: {from: 12.5, to: 100, times: 2}\n"
                "  batch: [32, 64, 96, ..., 160]\n");
  const SweepSpec spec = file.load();
  ASSERT_EQ(spec.models.size(), 1u);
  const auto& axes = spec.models[0].axes;
  ASSERT_EQ(axes.size(), 4u);
  EXPECT_EQ(axes[0].integers, (std::vector<std::int64_t>{4, 8, 16, 32, 64}));
  EXPECT_EQ(axes[1].numbers, (std::vector<double>{10, 20, 30}));
  EXPECT_EQ(axes[2].numbers, (std::vector<double>{12.5, 25, 50, 100}));
  EXPECT_EQ(axes[3].kind, AxisKind::param);
  EXPECT_EQ(axes[3].integers, (std::vector<std::int64_t>{32, 64, 96, 128, 160}));
  EXPECT_EQ(spec.models[0].label, "mlp");
  EXPECT_EQ(spec.axis_names, (std::vector<std::string>{"procs", "flops", "bw", "batch"}));
  EXPECT_EQ(spec.param_columns, (std::vector<std::string>{"batch"}));
  EXPECT_EQ(SweepPoints(spec).size(), 5u * 3 * 4 * 5);
}

TEST(SweepSpecTest, ellipsis_prefers_multiplying_when_it_reaches_the_end) {
  EXPECT_EQ(expand_ellipsis({4, 8}, 1024), (std::vector<double>{4, 8, 16, 32, 64, 128, 256, 512, 1024}));
  EXPECT_EQ(expand_ellipsis({10, 20}, 50), (std::vector<double>{10, 20, 30, 40, 50}));
  EXPECT_EQ(expand_ellipsis({1, 2, 3}, 5), (std::vector<double>{1, 2, 3, 4, 5}));
  EXPECT_EQ(expand_ellipsis({0.1, 0.2}, 0.5), (std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5}));
  EXPECT_TRUE(expand_ellipsis({4, 8}, 7).empty());
  EXPECT_TRUE(expand_ellipsis({4}, 8).empty());
}

TEST(SweepSpecTest, zip_varies_axes_together_and_product_orders_points) {
  SpecFile file(models() +
                "axes:\n  procs: [2, 4]\n  flops: [10, 20, 40]\n  bw: [16, 32, 64]\n"
                "zip: [[flops, bw]]\n");
  const SweepSpec spec = file.load();
  const auto points = all_points(spec);
  ASSERT_EQ(points.size(), 6u);
  // procs varies slowest; flops and bw together.
  EXPECT_EQ(points[0].procs, 2);
  EXPECT_EQ(points[0].cluster.flops_tflops, 10);
  EXPECT_EQ(points[0].cluster.bw_gbytes, 16);
  EXPECT_EQ(points[2].cluster.flops_tflops, 40);
  EXPECT_EQ(points[2].cluster.bw_gbytes, 64);
  EXPECT_EQ(points[3].procs, 4);
  for (std::size_t i = 0; i < points.size(); ++i) EXPECT_EQ(points[i].index, i);
}

TEST(SweepSpecTest, model_entries_take_set_label_and_their_own_axes) {
  SpecFile file("models:\n"
                "  - " + data + "/mlp.json\n"
                "  - file: " + data + "/mlp.json\n"
                "    label: mlp-wide\n"
                "    set: {hidden: 1024}\n"
                "    axes:\n      procs: [16]\n      batch: [128]\n"
                "axes:\n  procs: [2, 4]\n");
  const SweepSpec spec = file.load();
  ASSERT_EQ(spec.models.size(), 2u);
  EXPECT_EQ(spec.models[1].label, "mlp-wide");
  EXPECT_EQ(spec.models[1].params.at("hidden"), 1024);
  const auto points = all_points(spec);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[2].procs, 16);
  EXPECT_EQ(points[2].overrides, (std::vector<std::string>{"batch=128", "hidden=1024"}));
  EXPECT_EQ(spec.param_columns, (std::vector<std::string>{"batch", "hidden"}));
}

TEST(SweepSpecTest, cluster_axis_uses_the_catalogue) {
  SpecFile file("clusters: " + data + "/clusters.json\n" + models() + "axes:\n  cluster: [slow-node, fast-node]\n");
  const SweepSpec spec = file.load();
  const auto points = all_points(spec);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].cluster_name, "slow-node");
  EXPECT_EQ(points[0].cluster.flops_tflops, 5.0);
  EXPECT_EQ(points[0].cluster.bw_gbytes, 10.0);
  EXPECT_EQ(points[1].cluster.flops_tflops, 400.0);  // fp16 preset
  EXPECT_EQ(points[1].cluster.bw_gbytes, 300.0);
}

TEST(SweepSpecTest, search_precision_prices_pase_cluster_points) {
  SpecFile file(models() + "axes:\n  cluster: [dgx-a100]\nsearch:\n  precision: bf16\n");
  const SweepSpec spec = file.load();
  EXPECT_EQ(spec.precision, cluster::Precision::kBf16);
  const auto points = all_points(spec);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(search_settings(spec, points[0]).problem.hardware->precision(), cluster::Precision::kBf16);
  EXPECT_EQ(SpecFile(models() + "axes:\n  cluster: [dgx-a100]\n").load().precision, cluster::Precision::kFp32);
  EXPECT_NE(error_of(models() + "search:\n  precision: fp8\n").find("search.precision"), std::string::npos);
}

// Device memory (README.md, "Device memory"): a pase-cluster point takes the cluster's capacity and
// reserve, search.memory_per_device replaces it (and is the only capacity of paper-model points).
TEST(SweepSpecTest, device_memory_fields_set_each_points_capacity_and_recipe) {
  const cluster::HardwareCluster a100 = cluster::load_cluster("dgx-a100");
  const SweepSpec plain = SpecFile(models() + "axes:\n  cluster: [dgx-a100]\n  procs: [2]\n").load();
  const SearchSettings on_cluster = search_settings(plain, all_points(plain)[0]);
  EXPECT_EQ(on_cluster.device_memory.capacity_bytes, a100.device.memory_bytes);
  EXPECT_EQ(on_cluster.device_memory.reserve_bytes, a100.device.memory_reserve_bytes);
  EXPECT_EQ(on_cluster.device_memory.recipe.optimizer_bytes, 12);
  const SweepSpec paper = SpecFile(models() + "axes:\n  procs: [2]\n").load();
  EXPECT_EQ(search_settings(paper, all_points(paper)[0]).device_memory.capacity_bytes, 0);
  const SweepSpec set = SpecFile(models() + "axes:\n  cluster: [dgx-a100]\n  procs: [2]\nsearch:\n"
                                            "  memory_per_device: 40G\n  optimizer: sgd\n  training_precision: fp32\n")
                            .load();
  const SearchSettings s = search_settings(set, all_points(set)[0]);
  EXPECT_EQ(s.device_memory.capacity_bytes, 40.0 * (1 << 30));
  EXPECT_EQ(s.device_memory.reserve_bytes, a100.device.memory_reserve_bytes);
  EXPECT_EQ(s.device_memory.recipe.optimizer, "sgd");
  EXPECT_EQ(s.device_memory.recipe.weight_bytes, 4);
  EXPECT_EQ(s.device_memory.recipe.optimizer_bytes, 0);
  const SweepSpec off = SpecFile(models() + "axes:\n  cluster: [dgx-a100]\nsearch:\n  memory_per_device: 0\n").load();
  EXPECT_EQ(search_settings(off, all_points(off)[0]).device_memory.capacity_bytes, 0);
  // Bad values name the field.
  for (const auto& [search, field] : std::vector<std::pair<std::string, std::string>>{
           {"  memory_per_device: -8G\n", "search.memory_per_device"},
           {"  memory_per_device: lots\n", "search.memory_per_device"},
           {"  memory_per_device: 1G\n", "search.memory_per_device"},  // below dgx-a100's 1.5 GB reserve
           {"  optimizer: lion\n", "search.optimizer"},
           {"  training_precision: fp8\n", "search.training_precision"}}) {
    const std::string e = error_of(models() + "axes:\n  cluster: [dgx-a100]\nsearch:\n" + search);
    EXPECT_NE(e.find("field '" + field + "'"), std::string::npos) << search << " -> " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

TEST(SweepSpecTest, search_blocks_reaches_the_points_settings) {
  const SweepSpec spec = SpecFile(models() + "search:\n  blocks: auto\n").load();
  EXPECT_EQ(spec.blocks, BlockMode::automatic);
  const auto points = all_points(spec);
  ASSERT_FALSE(points.empty());
  EXPECT_EQ(search_settings(spec, points[0]).blocks, BlockMode::automatic);
  const SweepSpec plain = SpecFile(models()).load();
  EXPECT_EQ(search_settings(plain, all_points(plain)[0]).blocks, BlockMode::never);
}

// search.stages: auto reaches the point's settings (the stage search, pase search --stages auto);
// a bad value, or a point without the hardware model, is one line naming search.stages.
TEST(SweepSpecTest, search_stages_reaches_the_points_settings) {
  const SweepSpec spec = SpecFile(models() + "axes:\n  cluster: [dgx-a100]\nsearch:\n  stages: auto\n").load();
  EXPECT_EQ(spec.stages, StageMode::automatic);
  const auto points = all_points(spec);
  ASSERT_FALSE(points.empty());
  EXPECT_EQ(search_settings(spec, points[0]).stages, StageMode::automatic);
  const SweepSpec plain = SpecFile(models()).load();
  EXPECT_EQ(search_settings(plain, all_points(plain)[0]).stages, StageMode::none);
  for (const std::string& body : {models() + "axes:\n  cluster: [dgx-a100]\nsearch:\n  stages: sometimes\n",
                                 models() + "search:\n  stages: auto\n",
                                 "clusters: " + data + "/clusters.json\n" + models() +
                                     "axes:\n  cluster: [slow-node]\nsearch:\n  stages: auto\n"}) {
    const std::string e = error_of(body);
    EXPECT_NE(e.find("field 'search.stages'"), std::string::npos) << body << " -> " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  EXPECT_NE(error_of(models() + "search:\n  stages: auto\n").find("hardware cost model"), std::string::npos);
}

TEST(SweepSpecTest, shipped_catalogue_and_reference_spec_load) {
  const auto catalogue = load_cluster_catalogue(std::string(PASE_SOURCE_DIR) + "/jobs/clusters.json");
  for (const char* name : {"1080ti-node", "2080ti-node", "v100-nvlink", "a100-nvlink", "h100-nvlink", "h200-nvlink"})
    EXPECT_NO_THROW(catalogue.find(name)) << name;
  EXPECT_EQ(catalogue.find("a100-nvlink-fp16").cluster.flops_tflops, 312.0);
  const SweepSpec spec = load_sweep_spec(std::string(PASE_SOURCE_DIR) + "/jobs/sweep-reference.yaml");
  EXPECT_GE(SweepPoints(spec).size(), 2000u);
}

TEST(SweepSpecTest, fingerprint_changes_with_the_spec_and_the_model_file) {
  test::TempDir dir;
  test::write_file(dir.file("m.json"), test::read_file(data + "/mlp.json"));
  const std::string spec_path = dir.file("s.yaml");
  test::write_file(spec_path, "format: pase-sweep\nversion: 1\nmodels: [m.json]\naxes: {procs: [2, 4]}\n");
  const std::string a = load_sweep_spec(spec_path).fingerprint;
  EXPECT_EQ(load_sweep_spec(spec_path).fingerprint, a);
  test::write_file(spec_path, "format: pase-sweep\nversion: 1\nmodels: [m.json]\naxes: {procs: [2, 8]}\n");
  const std::string b = load_sweep_spec(spec_path).fingerprint;
  EXPECT_NE(a, b);
  test::write_file(dir.file("m.json"), test::read_file(data + "/mlp.json") + "\n");
  EXPECT_NE(load_sweep_spec(spec_path).fingerprint, b);
}

// Bad specs: each message names the spec file, the line and the field.

TEST(SweepSpecErrorTest, unknown_axis) {
  const std::string e = error_of(models() + "axes:\n  procs: [2]\n  bacth: [32]\n");
  EXPECT_NE(e.find("spec.yaml:7: field 'axes.bacth': unknown axis"), std::string::npos) << e;
  EXPECT_NE(e.find("its parameters: batch, hidden"), std::string::npos) << e;
}

TEST(SweepSpecErrorTest, empty_list) {
  const std::string e = error_of(models() + "axes:\n  procs: []\n");
  EXPECT_NE(e.find("spec.yaml:6: field 'axes.procs': empty range"), std::string::npos) << e;
}

TEST(SweepSpecErrorTest, empty_range) {
  const std::string e = error_of(models() + "axes:\n  bw: {from: 64, to: 8, step: 8}\n");
  EXPECT_NE(e.find("field 'axes.bw': empty range: 'from' 64 is above 'to' 8"), std::string::npos) << e;
}

TEST(SweepSpecErrorTest, missing_model_file) {
  const std::string e = error_of("models:\n  - file: nowhere/missing.json\naxes:\n  procs: [2]\n");
  EXPECT_NE(e.find("spec.yaml:4: field 'models[0].file': model file 'nowhere/missing.json' not found"),
            std::string::npos)
      << e;
}

TEST(SweepSpecErrorTest, other_mistakes_are_named) {
  EXPECT_NE(error_of(models() + "axis:\n  procs: [2]\n").find("field 'axis': unknown field"), std::string::npos);
  EXPECT_NE(error_of(models() + "axes:\n  procs: [2.5]\n").find("must be an integer"), std::string::npos);
  EXPECT_NE(error_of(models() + "axes:\n  procs: [4, 8, ..., 90]\n").find("never reaches 90"), std::string::npos);
  EXPECT_NE(error_of(models() + "axes:\n  procs: [4, ..., 100]\n").find("'...' must come after at least two"),
            std::string::npos);
  EXPECT_NE(error_of(models() + "axes:\n  flops: [1, 2]\n  bw: [1, 2, 3]\nzip: [[flops, bw]]\n")
                .find("zipped axes need equally many values"),
            std::string::npos);
  EXPECT_NE(error_of("clusters: " + data + "/clusters.json\n" + models() + "axes:\n  cluster: [slow-node]\n  bw: [1]\n")
                .find("keep one of them"),
            std::string::npos);
  EXPECT_NE(error_of("clusters: " + data + "/clusters.json\n" + models() + "axes:\n  cluster: [medium-node]\n")
                .find("no preset 'medium-node'"),
            std::string::npos);
  EXPECT_NE(error_of(models("    set: {depth: 3}\n")).find("has no parameter 'depth'"), std::string::npos);
  EXPECT_NE(error_of("models:\n  - " + data + "/mlp.json\n  - " + data + "/mlp.json\n").find("already used"),
            std::string::npos);
  EXPECT_NE(error_of(models() + "axes:\n  procs: [2\n").find("not valid YAML"), std::string::npos);
  EXPECT_NE(error_of(models() + "search:\n  order: random\n").find("field 'search.order'"), std::string::npos);
  EXPECT_NE(error_of(models() + "search:\n  blocks: yes\n").find("field 'search.blocks'"), std::string::npos);
  test::TempDir dir;
  test::write_file(dir.file("s.yaml"), "version: 1\nmodels: [x.json]\n");
  EXPECT_THROW(load_sweep_spec(dir.file("s.yaml")), std::invalid_argument);
  EXPECT_THROW(load_sweep_spec(dir.file("absent.yaml")), std::invalid_argument);
}

TEST(SweepSpecErrorTest, endless_or_huge_ranges_are_refused_naming_the_cause) {
  auto error_has = [](const std::string& axes, const std::string& part) {
    const std::string e = error_of(models() + "axes:\n" + axes);
    EXPECT_NE(e.find(part), std::string::npos) << axes << " -> " << e;
  };
  error_has("  bw: {from: 1, to: 2, times: 1.0000000000001}\n", "field 'axes.bw.times': so close to 1");
  error_has("  bw: {from: 1, to: 1e308, times: 1.000001}\n", "field 'axes.bw': more than a million values");
  error_has("  bw: {from: 1, to: 1e300, step: 1}\n", "more than a million values");
  error_has("  procs: [1, 2, ..., 100000000]\n", "field 'axes.procs': more than a million values");
  error_has("  batch: [4600000000000000000]\n", "is larger than the largest sweep value 9e15");
}

TEST(SweepSpecErrorTest, duplicate_keys_and_second_documents_are_refused) {
  std::string e = error_of(models() + "axes:\n  procs: [2]\n  procs: [4]\n");
  EXPECT_NE(e.find("field 'axes.procs': given twice"), std::string::npos) << e;
  e = error_of(models() + "axes:\n  procs: [2]\n---\naxes:\n  procs: [4]\n");
  EXPECT_NE(e.find("a second YAML document"), std::string::npos) << e;
}

}  // namespace
}  // namespace pase
