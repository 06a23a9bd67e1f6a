// Damaged results files (issue 16): every byte of a real results file written by `pase sweep` is
// changed in turn, and reading it must either refuse it (std::invalid_argument, one line naming the
// file) or give back exactly the table that was written; never a crash, a changed value, a lost or
// an invented row.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "pase/io/hdf5_file.hpp"
#include "pase/sweep/results_file.hpp"
#include "pase/sweep/journal.hpp"
#include "pase/sweep/results_seal.hpp"
#include "support/commands.hpp"

namespace pase {
namespace {

const std::string data = std::string(PASE_SOURCE_DIR) + "/tests/sweep/data";

// 36 points of the test MLP (3 device counts x 3 speeds x 2 bandwidths x 2 batches).
std::string spec_text() {
  return "format: pase-sweep\nversion: 1\nname: damage\n"
         "models:\n"
         "  - file: " + data + "/mlp.json\n"
         "    axes:\n"
         "      procs: [2, 4, 8]\n"
         "      flops: [10, 15.7, 19.5]\n"
         "      bw: [12.5, 300]\n"
         "      batch: [32, 64]\n";
}

std::string table_text(const ResultsTable& t) {
  std::string s = t.meta.fingerprint + "|" + t.meta.spec_name + "|" + t.meta.spec_file + "|" + t.meta.spec_text + "|" +
                  std::to_string(t.meta.point_count);
  for (const auto& n : t.meta.axis_names) s += "|" + n;
  for (const auto& n : t.meta.param_columns) s += "|" + n;
  for (const auto& r : t.rows) s += "\n" + row_to_json(r);
  return s;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Changes one byte of the file in place (cheaper than rewriting it: the loops below do it 30,000 times).
void write_byte(const std::string& path, std::uint64_t offset, char byte) {
  std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
  out.seekp(static_cast<std::streamoff>(offset));
  out.put(byte);
}

struct Sweep {
  test::TempDir dir;
  std::string spec, results;
  Sweep() : spec(dir.file("spec.yaml")), results(dir.file("r.h5")) {
    test::write_file(spec, spec_text());
    const auto r = test::run_command(test::pase_command(1, {"sweep", spec, "-o", results, "-q"}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
};

// Each byte XOR `pattern`, at every position: refused with one line, or read back unchanged.
void expect_every_flip_detected_or_harmless(unsigned char pattern) {
  Sweep sweep;
  const ResultsTable original = read_results_file(sweep.results);
  ASSERT_EQ(original.rows.size(), 36u);
  const std::string expected = table_text(original);
  const std::string bytes = read_bytes(sweep.results);
  const std::string damaged = sweep.dir.file("damaged.h5");
  std::size_t refused = 0, harmless = 0;
  const auto start = std::chrono::steady_clock::now();
  write_bytes(damaged, bytes);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) write_byte(damaged, i - 1, bytes[i - 1]);
    write_byte(damaged, i, static_cast<char>(static_cast<unsigned char>(bytes[i]) ^ pattern));
    try {
      const ResultsTable back = read_results_file(damaged);
      ASSERT_EQ(table_text(back), expected) << "byte " << i << " changed the table silently";
      ++harmless;
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      ASSERT_EQ(what.find('\n'), std::string::npos) << "byte " << i << ": " << what;
      ASSERT_EQ(what.rfind(damaged, 0), 0u) << "byte " << i << ": the message does not start with the file: " << what;
      ++refused;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu bytes, pattern 0x%02x: %zu refused, %zu harmless, %.1f s\n", bytes.size(), pattern, refused,
              harmless, seconds);
  EXPECT_GT(refused, 0u);
}

TEST(ResultsDamageTest, every_byte_flipped_is_refused_or_harmless) { expect_every_flip_detected_or_harmless(0xff); }
TEST(ResultsDamageTest, every_low_bit_flipped_is_refused_or_harmless) { expect_every_flip_detected_or_harmless(0x01); }

// The seal catches every change; behind it each row's checksum does too. Here every byte of every
// numeric column's values (8 bytes per row) is changed and the file sealed again, as if the damage
// had happened before the seal was written: the row checksums must refuse each one.
TEST(ResultsDamageTest, every_changed_value_fails_its_row_checksum) {
  Sweep sweep;
  const std::string bytes = read_bytes(sweep.results);
  std::vector<std::string> numeric = {"point", "procs", "flops", "bw", "total_cost", "step_time_s",
                                      "data_parallel_cost", "data_parallel_step_time_s", "speedup_over_data_parallel",
                                      "search_seconds", "build_seconds", "dp_cells", "peak_bytes", "plan_shared",
                                      "rank", "checksum"};
  for (const char* m : {"capacity_bytes", "per_device_bytes", "unconstrained_fits", "unconstrained_cost", "lower_bound", "relative_gap",
                        "dp_solves", "data_parallel_fits", "data_parallel_bytes", "fsdp_fits", "fsdp_bytes",
                        "fsdp_step_time_s", "speedup_over_best_baseline", "seconds"})
    numeric.push_back(std::string("memory/") + m);
  std::vector<std::uint64_t> offsets;
  {
    const h5::File f = h5::File::open_read_only(sweep.results);
    for (const auto& p : f.members("rows/params")) numeric.push_back("params/" + p);
    for (const auto& name : numeric) offsets.push_back(f.data_offset("rows/" + name));
  }
  const std::string damaged = sweep.dir.file("damaged.h5");
  std::size_t refused = 0;
  for (std::size_t c = 0; c < numeric.size(); ++c)
    for (std::uint64_t i = offsets[c]; i < offsets[c] + 36 * 8; ++i) {
      ASSERT_LT(i, bytes.size());
      std::string copy = bytes;
      copy[i] = static_cast<char>(copy[i] ^ 0x10);
      write_bytes(damaged, copy);
      seal_results_file(damaged);
      try {
        read_results_file(damaged);
        ADD_FAILURE() << "rows/" << numeric[c] << ", byte " << i << ": a changed value was read silently";
      } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
        ++refused;
      }
    }
  EXPECT_EQ(refused, numeric.size() * 36 * 8);
  std::printf("%zu values' bytes changed behind a valid seal: %zu refused by the row checksums\n",
              numeric.size() * 36 * 8, refused);
}

test::CommandResult pase(const std::vector<std::string>& args) { return test::run_command(test::pase_command(1, args)); }

bool one_line(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

// As users meet it: export and a resumed sweep refuse a damaged file with exit 2 and one line.
TEST(ResultsDamageTest, export_and_resume_refuse_a_damaged_file_in_one_line) {
  Sweep sweep;
  const std::string bytes = read_bytes(sweep.results);
  for (const std::uint64_t at : {std::uint64_t{3}, std::uint64_t{600}, bytes.size() / 2, bytes.size() - 5}) {
    write_byte(sweep.results, at, static_cast<char>(bytes[at] ^ 0x5a));
    const auto exported = pase({"export", sweep.results, "--csv", sweep.dir.file("out.csv")});
    EXPECT_EQ(exported.exit_code, 2) << "byte " << at << ": " << exported.err;
    EXPECT_TRUE(one_line(exported.err)) << exported.err;
    EXPECT_NE(exported.err.find(sweep.results), std::string::npos) << exported.err;
    const auto resumed = pase({"sweep", sweep.spec, "-o", sweep.results, "-q"});
    EXPECT_EQ(resumed.exit_code, 2) << "byte " << at << ": " << resumed.err;
    EXPECT_TRUE(one_line(resumed.err)) << resumed.err;
    write_byte(sweep.results, at, bytes[at]);
  }
  EXPECT_EQ(pase({"export", sweep.results, "--csv", sweep.dir.file("out.csv")}).exit_code, 0);
}

// A journal row with a valid CRC but other results than the finished row in the results file (a forged
// or damaged journal) does not replace it, and the sweep says so.
TEST(ResultsDamageTest, a_forged_journal_row_never_overrides_a_finished_point_in_silence) {
  Sweep sweep;
  const ResultsTable before = read_results_file(sweep.results);
  SweepRow forged = before.rows.at(0);
  forged.total_cost = 1.0;
  forged.speedup_over_data_parallel = 1e9;
  {
    JournalWriter journal(journal_path(sweep.results, 0), before.meta.fingerprint);
    journal.append(forged);
  }
  const auto resumed = pase({"sweep", sweep.spec, "-o", sweep.results, "-q"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("warning: " + journal_path(sweep.results, 0) + ": point 0 is finished in"),
            std::string::npos)
      << resumed.err;
  const ResultsTable after = read_results_file(sweep.results);
  ASSERT_EQ(after.rows.size(), before.rows.size());
  EXPECT_EQ(row_to_json(after.rows[0]), row_to_json(before.rows[0]));
}

}  // namespace
}  // namespace pase
