#include "pase/mpi/mpi_runtime.hpp"

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace pase {

namespace {

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

class MpiCollectives final : public Collectives {
 public:
  MpiCollectives() {
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allgather_blocks(double* data, const std::vector<std::uint64_t>& offsets,
                        const std::vector<std::uint64_t>& counts) override {
    bool fits_int = true;
    for (int r = 0; r < size_; ++r) fits_int = fits_int && offsets[r] + counts[r] <= INT_MAX;
    if (fits_int) {
      std::vector<int> c(size_), d(size_);
      for (int r = 0; r < size_; ++r) {
        c[r] = static_cast<int>(counts[r]);
        d[r] = static_cast<int>(offsets[r]);
      }
      check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, c.data(), d.data(), MPI_DOUBLE, MPI_COMM_WORLD),
            "MPI_Allgatherv");
      return;
    }
    constexpr std::uint64_t chunk = 1ull << 27;  // blocks of 2^31 elements or more go in pieces
    for (int r = 0; r < size_; ++r)
      for (std::uint64_t done = 0; done < counts[r]; done += chunk) {
        const auto n = static_cast<int>(std::min(chunk, counts[r] - done));
        check(MPI_Bcast(data + offsets[r] + done, n, MPI_DOUBLE, r, MPI_COMM_WORLD), "MPI_Bcast");
      }
  }

  std::int64_t broadcast(std::int64_t value, int root) override {
    check(MPI_Bcast(&value, 1, MPI_INT64_T, root, MPI_COMM_WORLD), "MPI_Bcast");
    return value;
  }

  std::vector<RankStats> all_stats(const RankStats& mine) override {
    std::vector<RankStats> all(size_);
    check(MPI_Allgather(&mine, sizeof(RankStats), MPI_BYTE, all.data(), sizeof(RankStats), MPI_BYTE, MPI_COMM_WORLD),
          "MPI_Allgather");
    return all;
  }

  std::uint64_t allreduce_or(std::uint64_t bits) override {
    std::uint64_t all = 0;
    check(MPI_Allreduce(&bits, &all, 1, MPI_UINT64_T, MPI_BOR, MPI_COMM_WORLD), "MPI_Allreduce");
    return all;
  }

  std::int64_t allreduce_max(std::int64_t value) override {
    std::int64_t all = 0;
    check(MPI_Allreduce(&value, &all, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return all;
  }

  void allreduce_sum(std::vector<std::uint64_t>& values) override {
    if (values.empty()) return;
    if (values.size() > INT_MAX) throw std::runtime_error("allreduce_sum: too many values for one MPI call");
    // Unsigned sums wrap modulo 2^64, which is what checksums want.
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_UINT64_T, MPI_SUM,
                        MPI_COMM_WORLD),
          "MPI_Allreduce");
  }

  std::string broadcast(const std::string& text, int root) override {
    std::int64_t length = broadcast(static_cast<std::int64_t>(text.size()), root);
    if (length > INT_MAX) throw std::runtime_error("broadcast: string too long for one MPI call");
    std::string out = rank_ == root ? text : std::string(static_cast<std::size_t>(length), '\0');
    if (length > 0) check(MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, root, MPI_COMM_WORLD), "MPI_Bcast");
    return out;
  }

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

bool MpiRuntime::launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"})
    if (std::getenv(name)) return true;
  return false;
}

MpiRuntime::MpiRuntime(int& argc, char**& argv) {
  if (!launched_by_mpi()) {
    collectives_ = std::make_unique<SingleProcess>();
    return;
  }
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    owns_ = true;
  }
  active_ = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  collectives_ = std::make_unique<MpiCollectives>();
}

MpiRuntime::~MpiRuntime() {
  if (owns_) MPI_Finalize();
}

void MpiRuntime::abort(int exit_code) {
  if (active_) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

}  // namespace pase
