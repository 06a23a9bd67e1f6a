// End-to-end tests of `pase sweep`, `export`, `report`, `merge` and `search --cluster`, run as the
// users run them: the pase binary in a subprocess.
#include <gtest/gtest.h>

#include "pase/cluster/hardware_cluster.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pase/sweep/results_file.hpp"
#include "pase/sweep/results_store.hpp"
#include <sys/resource.h>
#include <sys/stat.h>
#include "support/commands.hpp"

namespace pase {
namespace {

const std::string data = std::string(PASE_SOURCE_DIR) + "/tests/sweep/data";
const std::string inputs = std::string(PASE_SOURCE_DIR) + "/inputs";

// Two models with their own axes: rnnlm over numbers, mlp over cluster presets.
std::string mixed_spec() {
  return "format: pase-sweep\nversion: 1\nname: mixed\n"
         "clusters: " + data + "/clusters.json\n"
         "models:\n"
         "  - file: " + inputs + "/rnnlm.json\n"
         "    set: {layers: 1}\n"
         "    axes:\n"
         "      procs: [2, 8]\n"
         "      flops: [10, 15.7]\n"
         "      bw: [12.5, 300]\n"
         "      batch: [32, 64]\n"
         "  - file: " + data + "/mlp.json\n"
         "    axes:\n"
         "      procs: [4, 16]\n"
         "      cluster: [slow-node, fast-node]\n"
         // Unpruned, so that one plan serves a group (pruning makes each point's problem its own).
         "search: {prune: none}\n";
}

std::string spec_file(const test::TempDir& dir, const std::string& text, const std::string& name = "spec.yaml") {
  test::write_file(dir.file(name), text);
  return dir.file(name);
}

test::CommandResult pase(const std::vector<std::string>& args) { return test::run_command(test::pase_command(1, args)); }

// True when a line of `text` starts with these whitespace-separated words.
bool has_line(const std::string& text, const std::vector<std::string>& words) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    bool all = true;
    for (const auto& w : words) {
      std::string got;
      all = all && (in >> got) && got == w;
    }
    if (all) return true;
  }
  return false;
}

TEST(SweepCliTest, rows_equal_separate_search_runs) {
  test::TempDir dir;
  const std::string spec = spec_file(dir, mixed_spec());
  const auto sweep = pase({"sweep", spec, "--output", dir.file("r.h5"), "--quiet"});
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const ResultsTable table = read_results_file(dir.file("r.h5"));
  ASSERT_EQ(table.rows.size(), 20u);  // 16 rnnlm + 4 mlp
  EXPECT_EQ(table.meta.param_columns, (std::vector<std::string>{"batch", "layers"}));
  int shared = 0;
  for (const auto& row : table.rows) {
    ASSERT_TRUE(row.ok()) << row.message;
    shared += row.plan_shared ? 1 : 0;
    std::vector<std::string> args = {"search", "-p", std::to_string(row.procs), "--quiet", "--prune", "none",
                                     "--output", dir.file("s.json")};
    if (row.model == "rnnlm") {
      args.insert(args.begin() + 1, inputs + "/rnnlm.json");
      std::ostringstream flops, bw;
      flops.precision(17);
      bw.precision(17);
      flops << row.speeds.flops_tflops;
      bw << row.speeds.bw_gbytes;
      for (const std::string& a : {std::string("--flops"), flops.str(), std::string("--bw"), bw.str(),
                                   std::string("--set"), "batch=" + std::to_string(row.params[0]),
                                   std::string("--set"), std::string("layers=1")})
        args.push_back(a);
    } else {
      args.insert(args.begin() + 1, data + "/mlp.json");
      for (const std::string& a : {std::string("--cluster"), row.cluster, std::string("--clusters"), data + "/clusters.json"})
        args.push_back(a);
    }
    const auto search = pase(args);
    ASSERT_EQ(search.exit_code, 0) << search.err;
    const auto report = nlohmann::json::parse(test::read_file(dir.file("s.json")));
    SCOPED_TRACE("point " + std::to_string(row.point));
    EXPECT_EQ(report["flops_tflops"].get<double>(), row.speeds.flops_tflops);
    EXPECT_EQ(report["bw_gbytes"].get<double>(), row.speeds.bw_gbytes);
    EXPECT_EQ(report["total_cost"].get<double>(), row.total_cost);
    EXPECT_EQ(report["step_time_s"].get<double>(), row.step_time_s);
    EXPECT_EQ(report["data_parallel"]["total_cost"].get<double>(), row.data_parallel_cost);
    EXPECT_EQ(report["data_parallel"]["step_time_s"].get<double>(), row.data_parallel_step_time_s);
    EXPECT_EQ(report["speedup_over_data_parallel"].get<double>(), row.speedup_over_data_parallel);
    EXPECT_EQ(report["dp_cells"].get<std::uint64_t>(), row.dp_cells);
    nlohmann::ordered_json strategy = nlohmann::ordered_json::object();
    for (const auto& layer : report["layers"]) strategy[layer["name"].get<std::string>()] = layer["config"];
    EXPECT_EQ(strategy.dump(), row.strategy);
  }
  EXPECT_EQ(shared, 20 - 6);  // one plan per group: rnnlm (procs, batch) 4, mlp (procs) 2
}

TEST(SweepCliTest, dry_run_counts_points_and_finished_ones) {
  test::TempDir dir;
  const std::string spec = spec_file(dir, mixed_spec());
  auto r = pase({"sweep", spec, "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("20 points (2 models, 6 groups sharing a plan)", 0), 0u) << r.out;
  ASSERT_EQ(pase({"sweep", spec, "-o", dir.file("r.h5"), "-q"}).exit_code, 0);
  r = pase({"sweep", spec, "--dry-run", "-o", dir.file("r.h5")});
  EXPECT_NE(r.out.find("20 finished in"), std::string::npos) << r.out;
  // Nothing to do on a rerun.
  r = pase({"sweep", spec, "-o", dir.file("r.h5")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("all 20 points are finished in"), std::string::npos) << r.out;
}

// Points are computed from their number: a dry run of 10^7 points neither lists them nor groups them
// one by one (the eager enumeration took 5.8 GB and 18 s here). Past 10^8 points (one model's, or all
// models' together) the spec is refused in one line.
TEST(SweepCliTest, ten_million_point_dry_run_is_small_and_past_100_million_is_refused) {
  test::TempDir dir;
  const std::string head = "format: pase-sweep\nversion: 1\nmodels:\n  - file: " + data + "/mlp.json\n";
  const std::string axes = "axes:\n  procs: {from: 1, to: 1000, step: 1}\n  flops: {from: 1, to: 1000, step: 1}\n";
  auto r = pase({"sweep", spec_file(dir, head + axes + "  bw: [10, 20, ..., 100]\n"), "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("10000000 points (1 model, 1000 groups sharing a plan)", 0), 0u) << r.out;
  rusage usage{};
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &usage), 0);
  EXPECT_LT(usage.ru_maxrss, 128 * 1024) << "peak resident memory of the dry run, in KiB";

  r = pase({"sweep", spec_file(dir, head + axes + "  bw: {from: 1, to: 101, step: 1}\n"), "--dry-run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("field 'models[0]': model 'mlp' alone has more than 100 million points"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = pase({"sweep", spec_file(dir, head + "  - file: " + data + "/mlp.json\n    label: b\n" + axes + "  bw: {from: 1, to: 51, step: 1}\n"),
            "--dry-run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("field 'models[1]': the sweep has more than 100 million points with model 'b'"), std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// --share K/N runs the points whose number modulo N is K, and the dry run counts them.
TEST(SweepCliTest, a_share_runs_every_nth_point) {
  test::TempDir dir;
  const std::string spec = spec_file(dir, mixed_spec());
  auto r = pase({"sweep", spec, "--dry-run", "--share", "1/3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n7 points in share 1/3\n"), std::string::npos) << r.out;
  r = pase({"sweep", spec, "-o", dir.file("s.h5"), "-q", "--share", "1/3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::uint64_t> points;
  for (const auto& row : read_results_file(dir.file("s.h5")).rows) points.push_back(row.point);
  EXPECT_EQ(points, (std::vector<std::uint64_t>{1, 4, 7, 10, 13, 16, 19}));
  r = pase({"sweep", spec, "--dry-run", "--share", "1/3", "-o", dir.file("s.h5")});
  EXPECT_NE(r.out.find("7 finished in " + dir.file("s.h5") + ", 0 to run"), std::string::npos) << r.out;
}

TEST(SweepCliTest, refuses_a_results_file_of_another_spec) {
  test::TempDir dir;
  const std::string a = spec_file(dir, mixed_spec(), "a.yaml");
  const std::string b = spec_file(dir, mixed_spec() + "# edited\n", "b.yaml");
  ASSERT_EQ(pase({"sweep", a, "-o", dir.file("r.h5"), "-q"}).exit_code, 0);
  const auto r = pase({"sweep", b, "-o", dir.file("r.h5"), "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("r.h5: holds results of another sweep"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one clear line: " << r.err;
  // Same fingerprint, but a row that is not the spec's point.
  ResultsTable table = read_results_file(dir.file("r.h5"));
  table.rows[3].procs += 1;
  write_results_file(dir.file("changed.h5"), table);
  const auto changed = pase({"sweep", a, "-o", dir.file("changed.h5"), "-q"});
  EXPECT_EQ(changed.exit_code, 2);
  EXPECT_NE(changed.err.find("row of point 3 does not match that point of the spec"), std::string::npos) << changed.err;
  const auto bad = pase({"sweep", dir.file("absent.yaml"), "-o", dir.file("x.h5")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("absent.yaml: cannot open the sweep spec"), std::string::npos) << bad.err;
}

// A second sweep that reaches a running sweep's results file through a symbolic link is refused (the
// lock is the target's), and --output refuses FIFOs, devices and the spec itself.
TEST(SweepCliTest, a_second_writer_through_a_symlink_fifos_and_devices_are_refused) {
  test::TempDir dir;
  const std::string spec = spec_file(dir, mixed_spec());
  const std::string target = dir.file("a.h5"), link = dir.file("b.h5");
  std::filesystem::create_symlink("a.h5", link);  // dangling: the first sweep has not written a.h5 yet
  OutputLock running(target);                       // what a running `pase sweep -o a.h5` holds
  const auto second = pase({"sweep", spec, "-o", link, "-q"});
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("another 'pase sweep' is writing this results file"), std::string::npos) << second.err;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& bad : {fifo, std::string("/dev/null"), spec}) {
    const auto r = pase({"sweep", spec, "-o", bad, "-q"});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--output " + bad), std::string::npos) << r.err;
  }
}

TEST(SweepCliTest, export_report_and_merge) {
  test::TempDir dir;
  const std::string spec = spec_file(dir, mixed_spec());
  ASSERT_EQ(pase({"sweep", spec, "-o", dir.file("r.h5"), "-q"}).exit_code, 0);

  auto r = pase({"export", dir.file("r.h5"), "--csv", dir.file("r.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string csv = test::read_file(dir.file("r.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "point,model,procs,flops,bw,cluster,batch,layers,status,total_cost,step_time_s,data_parallel_cost,"
            "data_parallel_step_time_s,speedup_over_data_parallel,search_seconds,build_seconds,dp_cells,peak_bytes,"
            "plan_shared,rank,message");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 21);
  EXPECT_NE(csv.find("\n16,mlp,4,5,10,slow-node,64,,ok,"), std::string::npos) << csv;

  r = pase({"report", dir.file("r.h5"), "--plot", dir.file("s.svg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has_line(r.out, {"series", "procs", "rows", "median", "min", "max"})) << r.out;
  EXPECT_TRUE(has_line(r.out, {"rnnlm", "8", "8"})) << r.out;
  EXPECT_TRUE(has_line(r.out, {"mlp", "16", "2"})) << r.out;
  EXPECT_EQ(test::read_file(dir.file("s.svg")).substr(0, 4), "<svg");
  EXPECT_EQ(pase({"report", dir.file("r.h5"), "--plot", dir.file("s.png")}).exit_code, 2);  // pictures are SVG
  r = pase({"report", dir.file("r.h5"), "--where", "bw=300", "--where", "batch=64"});
  EXPECT_TRUE(has_line(r.out, {"rnnlm", "2", "2"})) << r.out;

  // Split the table into two files and merge them back.
  ResultsTable all = read_results_file(dir.file("r.h5"));
  ResultsTable even{all.meta, {}}, odd{all.meta, {}};
  for (const auto& row : all.rows) (row.point % 2 ? odd : even).rows.push_back(row);
  write_results_file(dir.file("even.h5"), even);
  write_results_file(dir.file("odd.h5"), odd);
  r = pase({"merge", dir.file("odd.h5"), dir.file("even.h5"), "-o", dir.file("all.h5")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_file(dir.file("r.csv")),
            (pase({"export", dir.file("all.h5"), "--csv", "-"}).out));
  r = pase({"merge", dir.file("odd.h5"), dir.file("all.h5"), "-o", dir.file("dup.h5")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is also in"), std::string::npos) << r.err;
  ResultsTable other = odd;
  other.meta.fingerprint = "fnv1a64:0000000000000000";
  write_results_file(dir.file("other.h5"), other);
  r = pase({"merge", dir.file("even.h5"), dir.file("other.h5"), "-o", dir.file("x.h5")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("holds results of another sweep"), std::string::npos) << r.err;
  r = pase({"merge", dir.file("even.h5"), "-o", dir.file("all.h5")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exists already"), std::string::npos) << r.err;
}

TEST(SweepCliTest, search_takes_a_cluster_preset) {
  auto r = pase({"search", data + "/mlp.json", "--cluster", "fast-node", "--clusters", data + "/clusters.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("400 TFLOP/s, 300 GB/s"), std::string::npos) << r.out;
  r = pase({"search", data + "/mlp.json", "--cluster", "fast-node", "--clusters", data + "/clusters.json", "--bw", "5"});
  EXPECT_NE(r.out.find("400 TFLOP/s, 5 GB/s"), std::string::npos) << r.out;
  r = pase({"search", data + "/mlp.json", "--cluster", "medium", "--clusters", data + "/clusters.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no cluster preset named 'medium'; known presets: fast-node, slow-node"), std::string::npos)
      << r.err;
  // The shipped catalogue, found without --clusters.
  r = pase({"search", data + "/mlp.json", "--cluster", "a100-nvlink"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("19.5 TFLOP/s, 300 GB/s"), std::string::npos) << r.out;
}

TEST(SweepCliTest, a_cluster_axis_takes_pase_cluster_presets_and_files_priced_by_the_hardware_model) {
  test::TempDir dir;
  test::write_file(dir.file("two-nodes.json"), cluster::preset_text("paper-2080ti"));
  const std::string spec = spec_file(dir, "format: pase-sweep\nversion: 1\nname: hw\n"
                                          "clusters: " + data + "/clusters.json\n"
                                          "models:\n"
                                          "  - file: " + data + "/mlp.json\n"
                                          "    axes:\n"
                                          "      procs: [8, 16]\n"
                                          "      cluster: [paper-1080ti, two-nodes.json, fast-node]\n");
  ASSERT_EQ(pase({"sweep", spec, "-o", dir.file("r.h5"), "-q"}).exit_code, 0);
  const ResultsTable table = read_results_file(dir.file("r.h5"));
  ASSERT_EQ(table.rows.size(), 6u);
  for (const auto& row : table.rows) {
    SCOPED_TRACE("point " + std::to_string(row.point));
    ASSERT_TRUE(row.ok()) << row.message;
    const bool hardware = row.cluster != "fast-node";
    EXPECT_EQ(row.cost_model, hardware ? "hardware" : "paper");
    std::vector<std::string> args = {"search", data + "/mlp.json", "-p", std::to_string(row.procs), "-q",
                                     "-o", dir.file("s.json"), "--cluster",
                                     row.cluster == "two-nodes.json" ? dir.file("two-nodes.json") : row.cluster};
    if (!hardware) args.insert(args.end(), {"--clusters", data + "/clusters.json"});
    const auto search = pase(args);
    ASSERT_EQ(search.exit_code, 0) << search.err;
    const auto report = nlohmann::json::parse(test::read_file(dir.file("s.json")));
    EXPECT_EQ(report["cost_model"], row.cost_model);
    EXPECT_EQ(report["step_time_s"].get<double>(), row.step_time_s);
    EXPECT_EQ(report["speedup_over_data_parallel"].get<double>(), row.speedup_over_data_parallel);
  }
  ASSERT_EQ(pase({"export", dir.file("r.h5"), "--csv", dir.file("r.csv")}).exit_code, 0);
  const std::string csv = test::read_file(dir.file("r.csv"));
  EXPECT_EQ(csv.rfind("point,model,procs,flops,bw,cluster,cost_model,", 0), 0u) << csv;
  EXPECT_NE(csv.find(",paper-1080ti,hardware,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",fast-node,paper,"), std::string::npos) << csv;
  // A misspelt field in a cluster file on the axis is refused naming the spec, the file and the field.
  test::write_file(dir.file("bad.json"), R"({"format": "pase-cluster", "version": 1, "nmae": "x"})");
  const std::string bad = spec_file(dir, "format: pase-sweep\nversion: 1\nname: bad\nmodels:\n"
                                         "  - file: " + data + "/mlp.json\n    axes:\n      cluster: [bad.json]\n", "bad.yaml");
  const auto r = pase({"sweep", bad, "-o", dir.file("b.h5"), "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml: field 'axes.cluster': "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace pase
