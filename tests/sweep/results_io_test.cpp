#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "pase/sweep/results_file.hpp"
#include "pase/sweep/csv_export.hpp"
#include "pase/sweep/journal.hpp"
#include "pase/sweep/results_store.hpp"
#include "pase/sweep/speedup_summary.hpp"
#include "support/commands.hpp"

namespace pase {
namespace {

ResultsMeta meta() {
  ResultsMeta m;
  m.fingerprint = "fnv1a64:0123456789abcdef";
  m.spec_name = "unit";
  m.spec_file = "jobs/unit.yaml";
  m.spec_text = "format: pase-sweep\n# ünïcode\n";
  m.point_count = 10;
  m.axis_names = {"procs", "bw", "batch"};
  m.param_columns = {"batch", "hidden"};
  return m;
}

SweepRow row(std::uint64_t point, double speedup = 1.5) {
  SweepRow r;
  r.point = point;
  r.model = point % 2 ? "mlp" : "rnn, \"quoted\"";
  r.procs = std::int64_t{1} << (point % 4 + 1);
  r.flops_tflops = 15.7;
  r.bw_gbytes = 0.1 + static_cast<double>(point);
  r.params = {64, point % 2 ? 256 : missing_param};
  r.total_cost = 1e12 / 3.0 + static_cast<double>(point);
  r.step_time_s = r.total_cost / 15.7e12;
  r.data_parallel_cost = r.total_cost * speedup;
  r.data_parallel_step_time_s = r.data_parallel_cost / 15.7e12;
  r.speedup_over_data_parallel = speedup;
  r.search_seconds = 0.001;
  r.build_seconds = 0.002;
  r.dp_cells = 123456789012ULL;
  r.peak_bytes = 4096;
  r.plan_shared = point % 3 == 0;
  r.rank = static_cast<int>(point % 3);
  r.strategy = R"({"fc1":[2,1,1],"fc2":[1,2,1]})";
  return r;
}

void expect_same(const SweepRow& a, const SweepRow& b) {
  EXPECT_EQ(row_to_json(a), row_to_json(b));
}

TEST(ResultsFileTest, round_trips_every_column_exactly) {
  test::TempDir dir;
  ResultsTable t{meta(), {}};
  for (std::uint64_t p = 0; p < 6; ++p) t.rows.push_back(row(p));
  t.rows[3].status = "memory_limit";
  t.rows[3].message = "too big";
  t.rows[3].total_cost = std::nan("");
  const std::string path = dir.file("r.h5");
  write_results_file(path, t);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const ResultsTable back = read_results_file(path);
  EXPECT_EQ(back.meta.fingerprint, t.meta.fingerprint);
  EXPECT_EQ(back.meta.spec_text, t.meta.spec_text);
  EXPECT_EQ(back.meta.point_count, 10u);
  EXPECT_EQ(back.meta.axis_names, t.meta.axis_names);
  EXPECT_EQ(back.meta.param_columns, t.meta.param_columns);
  ASSERT_EQ(back.rows.size(), t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i) expect_same(back.rows[i], t.rows[i]);
  EXPECT_TRUE(std::isnan(back.rows[3].total_cost));
}

TEST(ResultsFileTest, empty_table_and_refusals) {
  test::TempDir dir;
  write_results_file(dir.file("empty.h5"), ResultsTable{meta(), {}});
  EXPECT_TRUE(read_results_file(dir.file("empty.h5")).rows.empty());
  test::write_file(dir.file("text.h5"), "not hdf5");
  EXPECT_THROW(read_results_file(dir.file("text.h5")), std::invalid_argument);
  EXPECT_THROW(read_results_file(dir.file("absent.h5")), std::invalid_argument);
  ResultsMeta other = meta();
  other.fingerprint = "fnv1a64:ffffffffffffffff";
  try {
    check_same_sweep(other, "this spec", meta(), "old.h5");
    FAIL() << "another sweep's file was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("old.h5: holds results of another sweep"), std::string::npos) << e.what();
  }
}

TEST(JournalTest, keeps_complete_lines_and_skips_a_torn_tail) {
  test::TempDir dir;
  const std::string path = journal_path(dir.file("r.h5"), 2);
  {
    JournalWriter w(path, "fp");
    w.append(row(1));
    w.append(row(2));
  }
  // A crash in the middle of a write: half a line.
  const std::string full = test::read_file(path);
  test::write_file(path, full + full.substr(full.find('\n') + 1, 40));
  JournalContents c = read_journal(path);
  EXPECT_EQ(c.fingerprint, "fp");
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_TRUE(c.torn);
  expect_same(c.rows[1], row(2));
  // A later run appends after the torn line.
  {
    JournalWriter w(path, "fp");
    w.append(row(3));
  }
  c = read_journal(path);
  ASSERT_EQ(c.rows.size(), 3u);
  expect_same(c.rows[2], row(3));
  // A flipped byte fails the check.
  std::string text = test::read_file(path);
  text[text.rfind("mlp")] = 'x';
  test::write_file(path, text);
  EXPECT_EQ(read_journal(path).rows.size(), 2u);
  EXPECT_THROW(JournalWriter(path, "other"), std::runtime_error);
  EXPECT_EQ(journal_files(dir.file("r.h5")), std::vector<std::string>{path});
}

TEST(ResultsStoreTest, folds_journals_and_refuses_other_sweeps) {
  test::TempDir dir;
  const std::string out = dir.file("r.h5");
  const ResultsStore store(out, meta());
  {
    JournalWriter a(journal_path(out, 0), meta().fingerprint), b(journal_path(out, 1), meta().fingerprint);
    a.append(row(0));
    b.append(row(1));
    SweepRow failed = row(2);
    failed.status = "error";
    a.append(failed);
    b.append(row(2));  // a retry that worked
    a.append(row(1, 9.0));  // a duplicate of a finished point does not replace it
  }
  EXPECT_EQ(store.fold(false), 3u);
  EXPECT_EQ(journal_files(out).size(), 2u);
  EXPECT_EQ(store.fold(true), 3u);  // the same rows are in the file and the journals: no duplicates
  EXPECT_TRUE(journal_files(out).empty());
  const ResultsTable t = read_results_file(out);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_TRUE(t.rows[2].ok());
  EXPECT_EQ(t.rows[1].speedup_over_data_parallel, 1.5);

  ResultsMeta other = meta();
  other.fingerprint = "fnv1a64:1111111111111111";
  EXPECT_THROW(ResultsStore(out, other).load(), std::invalid_argument);
  {
    JournalWriter stray(journal_path(dir.file("s.h5"), 0), "fnv1a64:2222222222222222");
    stray.append(row(0));
  }
  EXPECT_THROW(ResultsStore(dir.file("s.h5"), meta()).load(), std::invalid_argument);
}

TEST(ResultsStoreTest, one_writer_per_output) {
  test::TempDir dir;
  OutputLock first(dir.file("r.h5"));
  // flock locks belong to open files, so a second open in this process conflicts too.
  EXPECT_THROW(OutputLock(dir.file("r.h5")), std::runtime_error);
}

TEST(CsvExportTest, columns_named_as_the_axes_and_exact_numbers) {
  ResultsTable t{meta(), {row(1), row(2)}};
  std::ostringstream out;
  write_csv(out, t, false);
  const std::string text = out.str();
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "point,model,procs,flops,bw,batch,hidden,status,total_cost,step_time_s,data_parallel_cost,"
            "data_parallel_step_time_s,speedup_over_data_parallel,search_seconds,build_seconds,dp_cells,peak_bytes,"
            "plan_shared,rank,message");
  EXPECT_NE(text.find("\n1,mlp,4,15.7,1.1,64,256,ok," + exact_number(1e12 / 3.0 + 1) + ","), std::string::npos) << text;
  EXPECT_NE(text.find("\n2,\"rnn, \"\"quoted\"\"\",8,15.7,2.1,64,,ok,"), std::string::npos) << text;
  EXPECT_EQ(exact_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(std::stod(exact_number(1e12 / 3.0)), 1e12 / 3.0);
}

TEST(SpeedupSummaryTest, median_min_max_per_model_and_device_count) {
  ResultsTable t{meta(), {}};
  for (std::uint64_t p = 0; p < 8; ++p) t.rows.push_back(row(p, 1.0 + static_cast<double>(p)));
  t.rows[7].status = "error";
  const auto series = speedup_series(t, {});
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].name, "rnn, \"quoted\"");
  ASSERT_EQ(series[1].points.size(), 2u);  // mlp: procs 4 (points 1, 5), 16 (point 3; 7 failed)
  EXPECT_EQ(series[1].points[0].procs, 4);
  EXPECT_EQ(series[1].points[0].rows, 2u);
  EXPECT_EQ(series[1].points[0].median, 4.0);
  EXPECT_EQ(series[1].points[0].min, 2.0);
  EXPECT_EQ(series[1].points[0].max, 6.0);
  EXPECT_EQ(speedup_series(t, {parse_filter("bw=1.1")})[0].points.size(), 1u);
  EXPECT_THROW(speedup_series(t, {parse_filter("color=red")}), std::invalid_argument);
  EXPECT_THROW(parse_filter("bw"), std::invalid_argument);
  std::ostringstream out;
  print_speedup_table(out, series);
  EXPECT_NE(out.str().find("mlp"), std::string::npos);
}

}  // namespace
}  // namespace pase
