// Kills `pase sweep` with SIGKILL at several moments (startup, mid-run, while folding the journals into
// the results file), reruns it, and checks that the results file is never damaged, that nothing that
// reached a journal is lost, and that in the end every point appears exactly once with the right row.
// The number of ranks comes from PASE_TEST_RANKS (CTest runs it with 1 and 3).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "pase/sweep/results_file.hpp"
#include "pase/sweep/journal.hpp"
#include "pase/sweep/point_runner.hpp"
#include "pase/sweep/results_store.hpp"
#include "support/commands.hpp"

namespace pase {
namespace {

int ranks() {
  const char* text = std::getenv("PASE_TEST_RANKS");
  return text != nullptr ? std::atoi(text) : 1;
}

std::string spec_text() {
  const std::string inputs = std::string(PASE_SOURCE_DIR) + "/inputs";
  return "format: pase-sweep\nversion: 1\nname: crash\n"
         "models:\n  - file: " + inputs + "/inception3.json\n  - file: " + inputs + "/rnnlm.json\n"
         "axes:\n"
         "  procs: [8, 16, 32, 64]\n"
         "  batch: [64, 128]\n"
         "  flops: [10, 40]\n"
         "  bw: [8, 16, ..., 128]\n";
}

void expect_same_result(const SweepRow& got, const SweepRow& want) {
  SCOPED_TRACE("point " + std::to_string(want.point));
  EXPECT_EQ(got.point, want.point);
  EXPECT_EQ(got.model, want.model);
  EXPECT_EQ(got.procs, want.procs);
  EXPECT_EQ(got.speeds.flops_tflops, want.speeds.flops_tflops);
  EXPECT_EQ(got.speeds.bw_gbytes, want.speeds.bw_gbytes);
  EXPECT_EQ(got.params, want.params);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.total_cost, want.total_cost);
  EXPECT_EQ(got.step_time_s, want.step_time_s);
  EXPECT_EQ(got.data_parallel_cost, want.data_parallel_cost);
  EXPECT_EQ(got.data_parallel_step_time_s, want.data_parallel_step_time_s);
  EXPECT_EQ(got.speedup_over_data_parallel, want.speedup_over_data_parallel);
  EXPECT_EQ(got.dp_cells, want.dp_cells);
  EXPECT_EQ(got.peak_bytes, want.peak_bytes);
  EXPECT_EQ(got.strategy, want.strategy);
}

// Seconds that the whole sweep takes, started as the test starts it, without interruption.
double uninterrupted_seconds(int rank_count, const std::string& spec_path, const std::string& out, const test::TempDir& dir) {
  const auto command = test::pase_command(rank_count, {"sweep", spec_path, "--output", out, "--checkpoint-seconds", "0.1",
                                                       "--progress-seconds", "0.5"});
  const auto start = std::chrono::steady_clock::now();
  const int pid = test::start_command(command, dir.file("full-out.txt"), dir.file("full-err.txt"));
  int exit_code = -1;
  while (!test::poll_command(pid, exit_code)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(exit_code, 0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(SweepCrashTest, killed_sweeps_resume_to_every_point_exactly_once) {
  test::TempDir dir;
  // Killed MPI jobs leave their shared-memory segments and session folders: keep them in `dir`.
  setenv("OMPI_MCA_btl_vader_backing_directory", dir.path().c_str(), 1);
  setenv("OMPI_MCA_orte_tmpdir_base", dir.path().c_str(), 1);
  const std::string spec_path = dir.file("crash.yaml"), out = dir.file("crash.h5");
  test::write_file(spec_path, spec_text());
  const SweepSpec spec = load_sweep_spec(spec_path);
  const SweepPoints points(spec);
  ASSERT_EQ(points.size(), 160u);

  // The right rows, computed in this process without journals, files or MPI.
  std::vector<SweepRow> reference;
  PointRunner runner(points, 0);
  for (std::uint64_t p = 0; p < points.size(); ++p) reference.push_back(runner.run(p));

  ResultsMeta meta;
  meta.fingerprint = spec.fingerprint;
  meta.point_count = points.size();
  meta.param_columns = spec.param_columns;
  const ResultsStore store(out, meta);
  const auto command = test::pase_command(ranks(), {"sweep", spec_path, "--output", out, "--checkpoint-seconds", "0.1",
                                                    "--progress-seconds", "0.5"});
  // Kill times, as fractions of an uninterrupted run on this machine now (so that a fast machine
  // does not finish before the kills): some during startup, most while points and folds run.
  const double full_s = uninterrupted_seconds(ranks(), spec_path, dir.file("full.h5"), dir);
  std::vector<double> delays;
  for (double fraction : {0.02, 0.12, 0.3, 0.2, 0.45, 0.08, 0.35, 0.25, 0.5, 0.15}) delays.push_back(fraction * full_s);
  const double mpi_start = 0.0;
  int kills = 0, exit_code = -1;
  std::size_t seen = 0;
  bool finished = false;
  for (const double delay : delays) {
    const int pid = test::start_command(command, dir.file("out.txt"), dir.file("err.txt"));
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(mpi_start + delay);
    while (std::chrono::steady_clock::now() < until && !finished) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      finished = test::poll_command(pid, exit_code);
    }
    if (finished) break;
    test::kill_tree(pid);
    ++kills;
    // The results file, when there is one, is never damaged, and holds only right rows.
    if (std::filesystem::exists(out)) {
      const ResultsTable table = read_results_file(out);
      std::uint64_t previous = 0;
      for (std::size_t i = 0; i < table.rows.size(); ++i) {
        if (i > 0) {
          EXPECT_GT(table.rows[i].point, previous) << "duplicate or unsorted rows";
        }
        previous = table.rows[i].point;
        expect_same_result(table.rows[i], reference.at(table.rows[i].point));
      }
    }
    // Nothing that reached the results file or a journal is lost by the next kill.
    const std::size_t now = store.load().size();
    EXPECT_GE(now, seen) << "after kill " << kills;
    seen = now;
  }
  if (!finished) {
    const int pid = test::start_command(command, dir.file("out.txt"), dir.file("err.txt"));
    exit_code = test::wait_command(pid);
  }
  ASSERT_EQ(exit_code, 0) << test::read_file(dir.file("err.txt"));
  EXPECT_GE(kills, 3) << "the sweep finished too early to test much";
  std::cout << "[ info     ] " << kills << " kills on " << ranks() << " rank(s); last run: "
            << test::read_file(dir.file("out.txt"));

  const ResultsTable table = read_results_file(out);
  ASSERT_EQ(table.rows.size(), points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(table.rows[i].point, i);
    expect_same_result(table.rows[i], reference[i]);
  }
  EXPECT_TRUE(journal_files(out).empty());
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

}  // namespace
}  // namespace pase
