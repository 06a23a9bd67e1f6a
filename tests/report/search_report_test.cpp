// run_search, make_report and the JSON report on a small model worked by hand; sizes for --max-memory.
#include "pase/report/search_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pase/report/report_output.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::near_relative;
using test::throws_naming;

// relu -> t (transpose) -> e2, all 4 x 4, cutoff 2, 2 devices, r = 10 (see model_problem_test.cpp):
// configurations (1,1), (1,2), (2,1); relu and e2 cost 16, 8, 8; t costs 0.
// relu -> t edge [[0,160,160],[160,0,80],[160,80,0]]; t -> e2 [[0,160,160],[160,80,0],[160,0,80]].
// Best: relu (1,2), t (1,2), e2 (2,1) = 8 + 0 + 8 with free edges (or its mirror image): 16.
// Data parallel: everything (2,1): 8 + 0 + 8 + 0 + 80 = 96.
constexpr const char* chain_model = R"({
  "format": "pase-model", "version": 1, "name": "chain", "params": {"n": 4}, "cutoff": 2,
  "inputs": {"x": ["n", "n"]},
  "layers": [
    {"name": "relu", "op": "Elementwise", "in": ["x", {"shape": ["n", "n"]}]},
    {"name": "t", "op": "Transpose", "in": ["relu"], "perm": [1, 0]},
    {"name": "e2", "op": "Elementwise", "in": ["t", {"shape": [4, 4]}]}
  ]
})";

SearchSettings settings_for(const std::string& path) {
  SearchSettings s;
  s.model_file = path;
  s.problem.procs = 2;
  s.problem.cluster = Cluster{0.02, 16.0};  // 2e10 FLOP/s peak, r = 10
  return s;
}

TEST(SearchReportTest, report_of_a_small_chain_worked_by_hand) {
  test::TempDir dir;
  const SearchSettings s = settings_for(dir.write("chain.json", chain_model));
  const SearchRun run = run_search(s);
  const SearchReport r = make_report(s, run);
  EXPECT_EQ(r.model, "chain");
  EXPECT_EQ(r.total_cost, 16.0);
  EXPECT_EQ(r.data_parallel_cost, 96.0);
  EXPECT_DOUBLE_EQ(r.speedup_over_data_parallel, 6.0);
  EXPECT_DOUBLE_EQ(r.step_time_s, 16.0 / 2e10);
  EXPECT_DOUBLE_EQ(r.data_parallel_step_time_s, 96.0 / 2e10);
  ASSERT_EQ(r.layers.size(), 3u);
  // relu and e2 take 8 each (plus free edges), t nothing.
  EXPECT_EQ(r.layers[0].name, "relu");
  EXPECT_EQ(r.layers[0].op, "Elementwise");
  EXPECT_EQ(r.layers[0].letters, "bc");
  EXPECT_EQ(r.layers[0].config_count, 3u);
  EXPECT_EQ(r.layers[0].cost, 8.0);
  EXPECT_EQ(r.layers[1].cost, 0.0);
  EXPECT_EQ(r.layers[2].cost, 8.0);
  EXPECT_DOUBLE_EQ(r.layers[0].share, 0.5);
  // One of the two optima: relu and t split alike, e2 the other way.
  EXPECT_EQ(r.layers[0].config, r.layers[1].config);
  EXPECT_TRUE((r.layers[0].config == Config{1, 2} && r.layers[2].config == Config{2, 1}) ||
              (r.layers[0].config == Config{2, 1} && r.layers[2].config == Config{1, 2}));
  EXPECT_EQ(r.plan.dp_cells, run.plan.totals.dp_cells);
}

TEST(SearchReportTest, memory_limit_refuses_the_search_but_not_the_plan) {
  test::TempDir dir;
  SearchSettings s = settings_for(dir.write("chain.json", chain_model));
  s.max_memory_bytes = 1;
  EXPECT_THROW(run_search(s), MemoryLimitExceeded);
  const SearchRun planned = plan_search(s);
  EXPECT_GT(planned.plan.totals.peak_bytes, 1u);
  // Exactly enough: the DP tables at their peak and the edge matrices.
  s.max_memory_bytes = planned.plan.totals.peak_bytes + planned.model.edge_bytes;
  EXPECT_EQ(peak_rank_bytes(s, planned, 1), s.max_memory_bytes);
  EXPECT_NO_THROW(run_search(s));
  s.max_memory_bytes -= 1;
  EXPECT_THROW(run_search(s), MemoryLimitExceeded);
}

TEST(SearchReportTest, json_report_has_the_documented_keys) {
  test::TempDir dir;
  const SearchSettings s = settings_for(dir.write("chain.json", chain_model));
  const auto doc = nlohmann::json::parse(report_json(make_report(s, run_search(s))));
  EXPECT_EQ(doc.at("model"), "chain");
  EXPECT_EQ(doc.at("procs"), 2);
  EXPECT_EQ(doc.at("total_cost").get<double>(), 16.0);
  EXPECT_EQ(doc.at("data_parallel").at("total_cost").get<double>(), 96.0);
  EXPECT_DOUBLE_EQ(doc.at("speedup_over_data_parallel").get<double>(), 6.0);
  EXPECT_DOUBLE_EQ(doc.at("flop_per_word").get<double>(), 10.0);
  EXPECT_EQ(doc.at("order"), "greedy");
  EXPECT_EQ(doc.at("parallel_edges"), "last");
  EXPECT_TRUE(doc.at("search_seconds").is_number());
  EXPECT_TRUE(doc.at("dp_cells").is_number_unsigned());
  ASSERT_EQ(doc.at("layers").size(), 3u);
  EXPECT_EQ(doc.at("layers")[1].at("name"), "t");
  EXPECT_EQ(doc.at("layers")[1].at("op"), "Transpose");
  EXPECT_EQ(doc.at("layers")[1].at("config").size(), 2u);
  EXPECT_EQ(doc.at("params").at("n"), 4);
}

TEST(SearchReportTest, write_text_file_names_a_file_it_cannot_write) {
  test::TempDir dir;
  const std::string bad = dir.file("no/such/folder/report.json");
  try {
    write_text_file(bad, "{}");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
}

TEST(SearchReportTest, parse_bytes_refuses_hex_spaces_and_infinities) {
  for (const char* text : {"0x10", " 5", "inf", "nan", "-1", "1e30"})
    EXPECT_THROW(parse_bytes(text, "--max-memory"), std::invalid_argument) << text;
}

TEST(SearchReportTest, parse_bytes_reads_sizes_with_binary_suffixes) {
  EXPECT_EQ(parse_bytes("0", "--max-memory"), 0u);
  EXPECT_EQ(parse_bytes("1024", "--max-memory"), 1024u);
  EXPECT_EQ(parse_bytes("1K", "--max-memory"), 1024u);
  EXPECT_EQ(parse_bytes("1k", "--max-memory"), 1024u);
  EXPECT_EQ(parse_bytes("1KiB", "--max-memory"), 1024u);
  EXPECT_EQ(parse_bytes("1.5K", "--max-memory"), 1536u);
  EXPECT_EQ(parse_bytes("512M", "--max-memory"), 512u * 1024 * 1024);
  EXPECT_EQ(parse_bytes("16G", "--max-memory"), 16ull * 1024 * 1024 * 1024);
  EXPECT_EQ(parse_bytes("2T", "--max-memory"), 2ull << 40);
}

TEST(SearchReportTest, parse_bytes_rejects_what_is_not_a_size) {
  for (const char* bad : {"", "abc", "-1", "12X", "1KK", "G", "1e400", "nan"})
    EXPECT_TRUE(throws_naming([&] { parse_bytes(bad, "--max-memory"); }, "--max-memory")) << "'" << bad << "'";
}

TEST(SearchReportTest, format_bytes_uses_binary_units) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(16ull << 30), "16.0 GiB");
}

}  // namespace
}  // namespace pase
