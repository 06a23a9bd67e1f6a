#include "pase/cluster/hardware_cluster.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "support/test_support.hpp"

namespace pase::cluster {
namespace {

TEST(HardwareClusterTest, every_preset_parses_and_names_its_sources) {
  ASSERT_EQ(preset_names().size(), 7u);  // dgx-a100-40gb and dgx1-v100 added with the memory model
  for (const std::string& name : preset_names()) {
    const HardwareCluster cluster = load_cluster(name);
    EXPECT_EQ(cluster.name, name);
    EXPECT_EQ(cluster.devices_per_node, 8);
    EXPECT_NE(preset_text(name).find("\"sources\""), std::string::npos);
  }
}

TEST(HardwareClusterTest, paper_1080ti_preset_has_the_datasheet_numbers) {
  const HardwareCluster cluster = load_cluster("paper-1080ti");
  EXPECT_EQ(cluster.devices(), 64);
  EXPECT_DOUBLE_EQ(cluster.device.peak_flop_per_s.at(Precision::kFp32), 11.34e12);
  EXPECT_DOUBLE_EQ(cluster.device.memory_bytes_per_s, 484e9);
  EXPECT_DOUBLE_EQ(cluster.intra_node.achieved_bytes_per_s(), 15.75e9 * 0.8);
  // One EDR card a node shared by 8 GPUs.
  EXPECT_DOUBLE_EQ(cluster.inter_node.achieved_bytes_per_s(), 12.5e9 * 0.85 / 8);
  EXPECT_EQ(cluster.device.peak_flop_per_s.count(Precision::kBf16), 0u);
}

TEST(HardwareClusterTest, presets_have_their_memory_capacity_and_reserve) {
  EXPECT_DOUBLE_EQ(load_cluster("dgx-a100").device.memory_bytes, 81920.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(load_cluster("dgx-a100-40gb").device.memory_bytes, 40960.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(load_cluster("dgx1-v100").device.memory_bytes, 32.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(load_cluster("paper-1080ti").device.memory_bytes, 11178.0 * 1024 * 1024);
  for (const std::string& name : preset_names()) {
    const Device device = load_cluster(name).device;
    EXPECT_GT(device.memory_reserve_bytes, 0) << name;
    EXPECT_LT(device.memory_reserve_bytes, 0.1 * device.memory_bytes) << name;
    EXPECT_NE(preset_text(name).find("\"device.memory_bytes\""), std::string::npos) << name;
  }
}

TEST(HardwareClusterTest, precision_sizes) {
  EXPECT_EQ(bytes_per_element(Precision::kFp32), 4.0);
  EXPECT_EQ(bytes_per_element(Precision::kBf16), 2.0);
  EXPECT_EQ(bytes_per_element(parse_precision("fp16")), 2.0);
  EXPECT_TRUE(test::throws_naming([] { parse_precision("fp8"); }, "fp8"));
}

// The paper-1080ti preset with `from` replaced by `to` once.
std::string edited(const std::string& from, const std::string& to) {
  std::string text = preset_text("paper-1080ti");
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("no " + from + " in the preset");
  return text.replace(at, from.size(), to);
}

TEST(HardwareClusterTest, bad_files_are_refused_naming_file_and_field) {
  const auto refused = [](const std::string& text, const std::string& field) {
    return test::throws_naming([&] { parse_cluster(text, "my.json"); }, "my.json: ", field);
  };
  EXPECT_TRUE(refused(edited("\"latency_s\"", "\"latency\""), "intra_node.latency: unknown field"));
  EXPECT_TRUE(refused(edited("\"nodes\": 8,", ""), "nodes: missing field"));
  EXPECT_TRUE(refused(edited("\"bytes_per_s\": 15750000000.0", "\"bytes_per_s\": -1"),
                      "intra_node.bytes_per_s: must be a positive number"));
  EXPECT_TRUE(refused(edited("\"fp16\"", "\"fp8\""), "device.peak_flop_per_s.fp8: unknown field"));
  EXPECT_TRUE(refused(edited("\"version\": 1", "\"version\": 2"), "version"));
  EXPECT_TRUE(refused(edited("\"efficiency\": 0.8", "\"efficiency\": 1.5"), "intra_node.efficiency"));
  EXPECT_TRUE(refused(edited("\"devices_sharing_link\": 8", "\"devices_sharing_link\": 0"),
                      "inter_node.devices_sharing_link"));
  EXPECT_TRUE(refused(edited("\"devices_sharing_link\": 8", "\"devices_sharing_link\": 8, \"overlap_compute_loss\": -0.5"),
                      "inter_node.overlap_compute_loss: must be a number >= 0"));
  EXPECT_TRUE(refused(edited("\"devices_sharing_link\": 8", "\"devices_sharing_link\": 8, \"overlap_compute_loss\": \"1\""),
                      "inter_node.overlap_compute_loss"));
  EXPECT_EQ(parse_cluster(edited("\"devices_sharing_link\": 8", "\"devices_sharing_link\": 8, \"overlap_compute_loss\": 1.25"),
                          "my.json").inter_node.overlap_compute_loss,
            1.25);
  EXPECT_EQ(load_cluster("paper-1080ti").inter_node.overlap_compute_loss, 0.0);  // optional, 0 by default
  EXPECT_TRUE(refused(edited("\"memory_reserve_bytes\": 1000000000.0", "\"memory_reserve_bytes\": -1"),
                      "device.memory_reserve_bytes: must be a number from 0"));
  EXPECT_TRUE(refused(edited("\"memory_reserve_bytes\": 1000000000.0", "\"memory_reserve_bytes\": 2e10"),
                      "device.memory_reserve_bytes"));
  EXPECT_DOUBLE_EQ(parse_cluster(edited("\"memory_reserve_bytes\": 1000000000.0,", ""), "my.json").device.memory_reserve_bytes,
                   0.0);  // optional: files written before it existed read as before
  EXPECT_TRUE(refused("{", "not valid JSON"));
  EXPECT_TRUE(test::throws_naming([] { load_cluster("/no/such/cluster.json"); }, "/no/such/cluster.json"));
}

TEST(HardwareClusterTest, gemm_efficiency_by_rows_interpolates_in_log_rows_towards_the_square_curve) {
  Device d;
  d.gemm.points = {{1.0, 0.8}};
  d.gemm_by_rows = {{8, {{{1.0, 0.2}}}}, {32, {{{1.0, 0.4}}}}};
  const double flop = 2e9;  // the square GEMM of this FLOP has 1000 rows
  EXPECT_DOUBLE_EQ(d.gemm_efficiency(flop, 0), 0.8);  // rows unknown: the square curve
  EXPECT_DOUBLE_EQ(d.gemm_efficiency(flop, 4), 0.2);
  EXPECT_DOUBLE_EQ(d.gemm_efficiency(flop, 8), 0.2);
  EXPECT_NEAR(d.gemm_efficiency(flop, 16), 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(d.gemm_efficiency(flop, 32), 0.4);
  EXPECT_NEAR(d.gemm_efficiency(flop, std::sqrt(32.0 * 1000.0)), 0.6, 1e-12);
  EXPECT_NEAR(d.gemm_efficiency(flop, 1000), 0.8, 1e-12);
  EXPECT_DOUBLE_EQ(d.gemm_efficiency(flop, 5000), 0.8);
  // A small GEMM whose square shape has 16 rows: the 32-row family does not apply.
  EXPECT_NEAR(d.gemm_efficiency(2.0 * 16 * 16 * 16, 16), 0.8, 1e-12);
  d.gemm_by_rows.clear();  // none measured: the square curve whatever the rows
  EXPECT_DOUBLE_EQ(d.gemm_efficiency(flop, 8), 0.8);
}

TEST(HardwareClusterTest, gemm_by_rows_reads_and_is_checked) {
  const std::string text = preset_text("dgx-a100");
  const std::string key = "\"memory_bound\":";
  const std::string with = [&] {
    std::string t = text;
    t.insert(t.find(key), "\"gemm_by_rows\": [{\"rows\": 8, \"gemm\": [[1e6, 0.1]]}, {\"rows\": 64, \"gemm\": [[1e6, 0.2], [1e9, 0.5]]}], ");
    return t;
  }();
  const HardwareCluster c = parse_cluster(with, "c.json");
  ASSERT_EQ(c.device.gemm_by_rows.size(), 2u);
  EXPECT_EQ(c.device.gemm_by_rows[1].first, 64);
  EXPECT_EQ(c.device.gemm_by_rows[1].second.points.size(), 2u);
  EXPECT_TRUE(load_cluster("dgx-a100").device.gemm_by_rows.empty());
  auto refused = [&](const std::string& from, const std::string& to, const std::string& message) {
    std::string t = with;
    t.replace(t.find(from), from.size(), to);
    try {
      parse_cluster(t, "c.json");
      return false;
    } catch (const std::invalid_argument& e) {
      return std::string(e.what()).find(message) != std::string::npos;
    }
  };
  EXPECT_TRUE(refused("\"rows\": 64", "\"rows\": 4", "c.json: device.efficiency.gemm_by_rows[1].rows: rows must be ascending"));
  EXPECT_TRUE(refused("\"rows\": 8", "\"rowz\": 8", "c.json: device.efficiency.gemm_by_rows[0].rowz: unknown field"));
  EXPECT_TRUE(refused("[[1e6, 0.1]]", "[[1e6, 1.5]]", "c.json: device.efficiency.gemm_by_rows[0].gemm: size must be positive"));
}

TEST(HardwareClusterTest, a_file_reads_like_its_preset) {
  const test::TempDir dir;
  const std::string path = dir.write("c.json", preset_text("dgx-a100"));
  const HardwareCluster cluster = load_cluster(path);
  EXPECT_EQ(cluster.name, "dgx-a100");
  EXPECT_DOUBLE_EQ(cluster.device.peak_flop_per_s.at(Precision::kBf16), 312e12);
  EXPECT_DOUBLE_EQ(cluster.intra_node.bytes_per_s, 300e9);
}

}  // namespace
}  // namespace pase::cluster
