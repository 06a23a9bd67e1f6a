#pragma once
// The few collective operations the DP needs when its tables are split among ranks. The search
// module knows only this interface; src/mpi implements it with MPI, SingleProcess without.

#include <cstdint>
#include <string>
#include <vector>

namespace pase {

struct RankStats {
  std::uint64_t peak_table_bytes = 0;  // cost and back-substitution tables held at once, at most
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t dp_cells = 0;          // cells this rank computed
  double compute_s = 0;
  double comm_s = 0;
};

class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // In place: rank r's elements data[offsets[r] .. offsets[r] + counts[r]) reach every rank.
  virtual void allgather_blocks(double* data, const std::vector<std::uint64_t>& offsets,
                                const std::vector<std::uint64_t>& counts) = 0;
  virtual std::int64_t broadcast(std::int64_t value, int root) = 0;
  // Every rank's stats, on every rank.
  virtual std::vector<RankStats> all_stats(const RankStats& mine) = 0;

  // For agreeing between DP steps (checkpoints): every rank's values combined, on every rank.
  virtual std::uint64_t allreduce_or(std::uint64_t bits) = 0;
  virtual std::int64_t allreduce_max(std::int64_t value) = 0;
  // Element-wise sums modulo 2^64, in place (every rank passes the same length).
  virtual void allreduce_sum(std::vector<std::uint64_t>& values) = 0;
  virtual std::string broadcast(const std::string& text, int root) = 0;
};

class SingleProcess final : public Collectives {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allgather_blocks(double*, const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&) override {}
  std::int64_t broadcast(std::int64_t value, int) override { return value; }
  std::vector<RankStats> all_stats(const RankStats& mine) override { return {mine}; }
  std::uint64_t allreduce_or(std::uint64_t bits) override { return bits; }
  std::int64_t allreduce_max(std::int64_t value) override { return value; }
  void allreduce_sum(std::vector<std::uint64_t>&) override {}
  std::string broadcast(const std::string& text, int) override { return text; }
};

}  // namespace pase
