// Checkpoints written and read by every rank with parallel HDF5 (collective writes): the resumed
// search gives the uninterrupted result to the last bit, whatever the split of the tables among
// ranks when writing and when reading. (Different rank counts for writing and reading are tested
// through the command line, in tests/checkpoint/resume_across_ranks.sh.)
#include <gtest/gtest.h>
#include <mpi.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <random>

#include "../checkpoint/checkpoint_test_support.hpp"
#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/checkpoint/checkpoint_seal.hpp"
#include "pase/checkpoint/test_hooks.hpp"
#include "pase/mpi/mpi_runtime.hpp"

namespace pase::testing {
namespace {

Collectives& world() {
  static int argc = 0;
  static char** argv = nullptr;
  static MpiRuntime runtime(argc, argv);  // MPI is already initialised by the test main
  return runtime.collectives();
}

// One folder for this run, the same on every rank, distinct per run (the np variants may run at once).
std::filesystem::path shared_folder() {
  static const std::filesystem::path dir = [] {
    const std::int64_t pid = world().broadcast(std::int64_t{world().rank() == 0 ? ::getpid() : 0}, 0);
    return std::filesystem::temp_directory_path() /
           ("pase_checkpoint_mpi_" + std::to_string(world().size()) + "_" + std::to_string(pid));
  }();
  return dir;
}

struct RemoveFolder : ::testing::Environment {
  void TearDown() override {
    world().broadcast(std::int64_t{0}, 0);
    if (world().rank() == 0) std::filesystem::remove_all(shared_folder());
  }
};
const auto* const remove_folder = ::testing::AddGlobalTestEnvironment(new RemoveFolder);

std::string shared_path(const std::string& name) {
  const auto dir = shared_folder();
  if (world().rank() == 0) std::filesystem::create_directories(dir);
  world().broadcast(std::int64_t{0}, 0);  // the folder exists before anyone uses it
  return (dir / name).string();
}

const std::uint64_t thresholds[] = {0, 1 << 18, ~0ull};

void check(const Search& s, const std::string& what) {
  const Solution expected = solve(s.problem, s.plan);
  const std::string path = shared_path("ck.h5");
  const int steps = static_cast<int>(s.plan.steps.size());
  int variant = 0;
  for (int stop : {1, steps / 2, steps - 1, steps}) {
    if (stop < 1) continue;
    for (std::size_t w = variant++ % 3, n = 0; n < 2; ++n, w = (w + 1) % 3) {
      const std::uint64_t written_with = thresholds[w], read_with = thresholds[(w + 1) % 3];
      write_at(s, path, stop, world(), written_with, 2);
      expect_same(
          expected, resume_from(s, path, world(), read_with, 1),
          what + " stopped after " + std::to_string(stop) + " written with threshold " + std::to_string(written_with));
    }
  }
}

TEST(CheckpointMpiTest, networks_resume_exactly) {
  check(network_search("transformer", 8), "transformer p=8");
  check(network_search("inception3", 4), "inception3 p=4");
}

TEST(CheckpointMpiTest, random_problems_resume_exactly) {
  std::mt19937 rng(31337);
  for (int i = 0; i < 20; ++i) check(make_search(random_problem(rng)), "random problem " + std::to_string(i));
}

TEST(CheckpointMpiTest, damage_is_refused_on_every_rank_alike) {
  const Search s = network_search("transformer", 4);
  const std::string path = shared_path("damaged.h5");
  write_at(s, path, 50, world(), 0);
  std::uint64_t offset = 0;
  {
    const h5::File f = h5::File::open_read_only(path);
    offset = f.data_offset("/argmin/step_000049");
  }
  world().broadcast(std::int64_t{0}, 0);
  if (world().rank() == 0) {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, static_cast<long>(offset), SEEK_SET);
    const int byte = std::fgetc(f);
    std::fseek(f, static_cast<long>(offset), SEEK_SET);
    std::fputc(byte ^ 1, f);
    std::fclose(f);
  }
  world().broadcast(std::int64_t{0}, 0);
  auto refusal = [&] {
    try {
      resume_from(s, path, world());
    } catch (const CheckpointRefused& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(refusal().find("do not match the digest in its seal"), std::string::npos);
  seal_checkpoint(path, world());  // sealed again: the table's own checksum, summed over ranks, catches it
  const std::string m = refusal();
  EXPECT_NE(m.find("/argmin/step_000049 does not match its checksum"), std::string::npos) << m;
}

// A full disk (here: a file size limit on rank 0, which reserves the space) is found before HDF5
// writes anything; every rank fails alike and the search could go on.
TEST(CheckpointMpiTest, a_failed_write_fails_on_every_rank_and_keeps_the_previous_checkpoint) {
  const Search s = network_search("transformer", 4);
  const std::string path = shared_path("kept.h5");
  write_at(s, path, 30, world(), 0);
  const std::uint64_t before = std::filesystem::file_size(path);
  struct rlimit saved {};
  if (world().rank() == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &saved);
    struct rlimit small = saved;
    small.rlim_cur = before;  // the next checkpoint is larger
    setrlimit(RLIMIT_FSIZE, &small);
  }
  const Distribution d = distribute(s.problem, s.plan, world().size(), 0);
  const SearchFingerprint fingerprint = test_fingerprint();
  StopAndWrite listener(s, d, path, 90, world(), fingerprint);
  try {
    solve(s.problem, s.plan, DpOptions{1, 0}, world(), nullptr, &listener);
    ADD_FAILURE() << "the write did not fail";
  } catch (const CheckpointWriteAborted& e) {
    ADD_FAILURE() << "HDF5 was left unable to go on: " << e.what();
  } catch (const CheckpointWriteFailed& e) {
    EXPECT_NE(std::string(e.what()).find("no room for a checkpoint"), std::string::npos) << e.what();
  }
  if (world().rank() == 0) setrlimit(RLIMIT_FSIZE, &saved);
  CheckpointReader reader(path, world());
  reader.verify();
  EXPECT_EQ(reader.header().steps_done, 30u);
  reader.close();
  expect_same(solve(s.problem, s.plan), resume_from(s, path, world()), "the kept checkpoint");
}

}  // namespace
}  // namespace pase::testing
