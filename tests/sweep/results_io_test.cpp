#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "pase/sweep/results_file.hpp"
#include "pase/sweep/csv_export.hpp"
#include "pase/sweep/journal.hpp"
#include "pase/sweep/memory_summary.hpp"
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
  r.speeds.flops_tflops = 15.7;
  r.speeds.bw_gbytes = 0.1 + static_cast<double>(point);
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

// A point with a device capacity (README.md, "Device memory"): the capacity search's result.
SweepRow with_memory(std::uint64_t point) {
  SweepRow r = row(point);
  SweepRowMemory& m = r.memory;
  m.capacity_bytes = 85899345920.0;
  m.memory_per_device_bytes = 4e10 + static_cast<double>(point);
  m.unconstrained_fits = point % 2 == 0;
  m.unconstrained_cost = r.total_cost * (m.unconstrained_fits ? 1.0 : 0.9);
  m.lower_bound = r.total_cost * (m.unconstrained_fits ? 1.0 : 0.99);
  m.relative_gap = m.unconstrained_fits ? 0.0 : 0.01;
  m.dp_solves = m.unconstrained_fits ? 1 : 11;
  m.data_parallel_fits = point % 3 == 0;
  m.data_parallel_bytes = 1.2e11 / 3.0;
  m.fsdp_fits = true;
  m.fsdp_bytes = 6e10;
  m.fsdp_step_time_s = r.step_time_s * 1.1;
  m.speedup_over_best_baseline = 1.1;
  m.seconds = 0.25;
  return r;
}

TEST(ResultsFileTest, round_trips_device_memory_exactly) {
  test::TempDir dir;
  ResultsTable t{meta(), {row(0), with_memory(1), with_memory(2), with_memory(4)}};
  t.rows[3].status = "does_not_fit";
  t.rows[3].message = "device memory: no strategy fits";
  t.rows[3].total_cost = std::nan("");
  t.rows[3].memory.lower_bound = std::nan("");
  t.rows[3].memory.relative_gap = std::nan("");
  t.rows[3].memory.speedup_over_best_baseline = std::nan("");
  const std::string path = dir.file("r.h5");
  write_results_file(path, t);
  const ResultsTable back = read_results_file(path);
  ASSERT_EQ(back.rows.size(), t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    expect_same(back.rows[i], t.rows[i]);
    EXPECT_TRUE(same_results(back.rows[i], t.rows[i])) << i;
    EXPECT_EQ(row_checksum(back.rows[i]), row_checksum(t.rows[i])) << i;
    expect_same(row_from_json(row_to_json(t.rows[i])), t.rows[i]);
  }
  EXPECT_FALSE(back.rows[0].memory.checked());
  EXPECT_TRUE(std::isnan(back.rows[0].memory.memory_per_device_bytes));
  EXPECT_EQ(back.rows[2].memory.memory_per_device_bytes, 4e10 + 2);
  EXPECT_EQ(back.rows[1].memory.dp_solves, 11);
  EXPECT_TRUE(back.rows[2].memory.unconstrained_fits);
  EXPECT_EQ(back.rows[2].memory.relative_gap, 0.0);
  // Every field of the device memory is part of the results and of the checksum.
  SweepRow other = t.rows[1];
  other.memory.data_parallel_fits = !other.memory.data_parallel_fits;
  EXPECT_FALSE(same_results(other, t.rows[1]));
  EXPECT_NE(row_checksum(other), row_checksum(t.rows[1]));
  other = t.rows[1];
  other.memory.lower_bound *= 1 + 1e-15;
  EXPECT_FALSE(same_results(other, t.rows[1]));
  other = t.rows[1];
  other.memory.seconds = 1;  // a timing: not a result, but checksummed
  EXPECT_TRUE(same_results(other, t.rows[1]));
  EXPECT_NE(row_checksum(other), row_checksum(t.rows[1]));
  // A row without a capacity checksums as it did in format 2.
  EXPECT_EQ(row_checksum(t.rows[0], false), row_checksum(t.rows[0], false));
  EXPECT_NE(row_checksum(t.rows[1], false), row_checksum(t.rows[1]));
}

// Files of format 2, written before the device memory (the fuzz corpus's seed is one), are still read.
TEST(ResultsFileTest, reads_format_2_files_without_device_memory) {
  const ResultsTable t =
      read_results_file(std::string(PASE_SOURCE_DIR) + "/tests/fuzz/corpus/results_file/mlp-6-points.h5");
  ASSERT_EQ(t.rows.size(), 6u);
  for (const auto& r : t.rows) {
    EXPECT_TRUE(r.ok());
    EXPECT_FALSE(r.memory.checked());
    EXPECT_EQ(r.memory.dp_solves, 0);
  }
  std::ostringstream out;
  write_csv(out, t, false);
  EXPECT_EQ(out.str().find("capacity_bytes"), std::string::npos) << out.str();
}

// Files of format 3, written before pipelines (the fuzz corpus has one), are still read: their rows
// have device memory and no pipeline, and their checksums hold.
TEST(ResultsFileTest, reads_format_3_files_without_pipelines) {
  const ResultsTable t =
      read_results_file(std::string(PASE_SOURCE_DIR) + "/tests/fuzz/corpus/results_file/gpt-4-points-memory.h5");
  ASSERT_EQ(t.rows.size(), 4u);
  for (const auto& r : t.rows) {
    EXPECT_TRUE(r.memory.checked());
    EXPECT_FALSE(r.pipeline.present());
    EXPECT_TRUE(r.pipeline.megatron_setup.empty());
  }
  std::ostringstream out;
  write_csv(out, t, false);
  EXPECT_NE(out.str().find("capacity_bytes"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("bubble_fraction"), std::string::npos) << out.str();
}

// A file of format 4 with pipelines (jobs/sweep-pipeline.yaml; the fuzz corpus's seed), so that a
// later format still reads it.
TEST(ResultsFileTest, reads_format_4_files_with_pipelines) {
  const ResultsTable t =
      read_results_file(std::string(PASE_SOURCE_DIR) + "/tests/fuzz/corpus/results_file/gpt-3-points-pipeline.h5");
  ASSERT_EQ(t.rows.size(), 3u);
  for (const auto& r : t.rows) {
    EXPECT_TRUE(r.ok()) << r.message;
    EXPECT_TRUE(r.pipeline.present());
    EXPECT_EQ(r.pipeline.stages * r.pipeline.stage_devices * r.pipeline.replicas, r.procs);
    EXPECT_FALSE(r.pipeline.megatron_setup.empty());
  }
}

// A point of the stage search (search.stages: auto): its pipeline and the Megatron-LM rule's step.
SweepRow with_pipeline(std::uint64_t point) {
  SweepRow r = with_memory(point);
  SweepRowPipeline& p = r.pipeline;
  p.stages = 4;
  p.stage_devices = 8;
  p.replicas = 2;
  p.microbatches = 32;
  p.microbatch_size = 1 + static_cast<std::int64_t>(point);
  p.bubble_fraction = 3.0 / 32.0;
  p.recompute = "selective";
  p.sequence_parallel = point % 2 == 1;
  p.stage_table = R"([{"first":"embed","last":"block.3.out","layers":9,"devices":8,"microbatch_time_s":0.1,)"
                  R"("memory_bytes_per_device":4e10,"strategy":"megatron"}])";
  p.megatron_setup = "tp=8,pp=8,dp=1,microbatch=1,sequence-parallel,recompute=selective";
  p.megatron_fits = point % 3 != 0;
  p.megatron_step_time_s = r.step_time_s * 1.25;
  p.megatron_bytes = 7e10 / 3.0;
  return r;
}

TEST(ResultsFileTest, round_trips_pipelines_exactly) {
  test::TempDir dir;
  ResultsTable t{meta(), {row(0), with_memory(1), with_pipeline(2), with_pipeline(5)}};
  t.rows[1].pipeline.megatron_setup = "tp=4,pp=1,dp=2,microbatch=4";  // a plain search with the rule's step
  t.rows[1].pipeline.megatron_step_time_s = 0.5;
  t.rows[1].pipeline.megatron_bytes = 3e10;
  const std::string path = dir.file("r.h5");
  write_results_file(path, t);
  const ResultsTable back = read_results_file(path);
  ASSERT_EQ(back.rows.size(), t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    expect_same(back.rows[i], t.rows[i]);
    EXPECT_TRUE(same_results(back.rows[i], t.rows[i])) << i;
    EXPECT_EQ(row_checksum(back.rows[i]), row_checksum(t.rows[i])) << i;
    expect_same(row_from_json(row_to_json(t.rows[i])), t.rows[i]);
  }
  EXPECT_FALSE(back.rows[0].pipeline.present());
  EXPECT_EQ(back.rows[3].pipeline.microbatch_size, 6);
  EXPECT_EQ(back.rows[3].pipeline.stage_table, t.rows[3].pipeline.stage_table);
  EXPECT_TRUE(back.rows[3].pipeline.sequence_parallel);
  // Every field of the pipeline is part of the results and of the checksum.
  SweepRow other = t.rows[2];
  other.pipeline.microbatches = 16;
  EXPECT_FALSE(same_results(other, t.rows[2]));
  EXPECT_NE(row_checksum(other), row_checksum(t.rows[2]));
  other = t.rows[2];
  other.pipeline.megatron_fits = !other.pipeline.megatron_fits;
  EXPECT_FALSE(same_results(other, t.rows[2]));
  EXPECT_NE(row_checksum(other), row_checksum(t.rows[2]));
  // Format 3's checksum (how such files are verified) does not read the pipeline.
  other = t.rows[2];
  other.pipeline.microbatches = 16;
  EXPECT_EQ(row_checksum(other, true, false), row_checksum(t.rows[2], true, false));
  // The CSV has the pipeline's columns, empty for rows without.
  std::ostringstream out;
  write_csv(out, back, true);
  const std::string csv = out.str();
  EXPECT_NE(csv.find(",stages,stage_devices,replicas,microbatches,microbatch_size,bubble_fraction,recompute,"
                     "sequence_parallel,megatron_setup,megatron_fits,megatron_step_time_s,megatron_memory_bytes,message"),
            std::string::npos) << csv;
  EXPECT_NE(csv.find(",4,8,2,32,6,0.09375,selective,1,\"tp=8,pp=8,dp=1,microbatch=1,sequence-parallel,recompute=selective\",1,"),
            std::string::npos) << csv;
  EXPECT_NE(csv.find("stage_table"), std::string::npos) << csv;
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

TEST(CsvExportTest, device_memory_columns_when_a_point_had_a_capacity) {
  ResultsTable t{meta(), {row(0), with_memory(1)}};
  std::ostringstream out;
  write_csv(out, t, false);
  const std::string text = out.str();
  EXPECT_NE(text.find(",rank,capacity_bytes,memory_per_device_bytes,fits,unconstrained_fits,unconstrained_cost,"
                      "capacity_lower_bound,capacity_relative_gap,capacity_dp_solves,capacity_seconds,"
                      "data_parallel_fits,data_parallel_memory_bytes,fsdp_fits,fsdp_memory_bytes,fsdp_step_time_s,"
                      "speedup_over_best_baseline,message\n"),
            std::string::npos)
      << text;
  // Row 0 had no capacity: every device-memory cell is empty.
  EXPECT_NE(text.find(",1,0" + std::string(16, ',') + "\n"), std::string::npos) << text;
  const SweepRow r = with_memory(1);
  const double gap = r.memory.relative_gap;
  EXPECT_NE(text.find(",85899345920,40000000001,1,0," + exact_number(r.memory.unconstrained_cost) + "," +
                      exact_number(r.memory.lower_bound) + "," + exact_number(gap) + ",11,0.25,0,"),
            std::string::npos)
      << text;
}

TEST(MemorySummaryTest, counts_per_model_and_device_count) {
  ResultsTable t{meta(), {}};
  for (std::uint64_t p = 0; p < 8; ++p) t.rows.push_back(with_memory(p));
  t.rows.push_back(row(8));  // no capacity: left out
  t.rows[5].status = "does_not_fit";
  t.rows[5].memory.memory_per_device_bytes = 9e11;
  const auto series = memory_series(t, {});
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[1].name, "mlp");
  ASSERT_EQ(series[1].points.size(), 2u);  // mlp: procs 4 (points 1, 5), 16 (points 3, 7)
  const MemoryPoint& p = series[1].points[0];
  EXPECT_EQ(p.procs, 4);
  EXPECT_EQ(p.rows, 2u);
  EXPECT_EQ(p.fit, 1u);
  EXPECT_EQ(p.constrained, 1u);
  EXPECT_EQ(p.data_parallel_fits, 0u);
  EXPECT_EQ(p.fsdp_fits, 2u);
  EXPECT_EQ(p.median_bytes, 4e10 + 1);
  EXPECT_EQ(p.largest_relative_gap, 0.01);
  EXPECT_EQ(series[0].points[0].data_parallel_fits, 1u);  // points 0 (fits) and 4 (not)
  EXPECT_TRUE(memory_series(ResultsTable{meta(), {row(0)}}, {}).empty());
  std::ostringstream out;
  print_memory_table(out, series);
  EXPECT_NE(out.str().find("mlp"), std::string::npos) << out.str();
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
