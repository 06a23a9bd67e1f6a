#pragma once
// Shared by the checkpoint tests (one process and MPI): small problems, a listener that writes a
// checkpoint and stops at a chosen step, and a resume from a checkpoint file.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "pase/checkpoint/checkpoint_reader.hpp"
#include "pase/checkpoint/checkpoint_writer.hpp"
#include "pase/checkpoint/search_fingerprint.hpp"
#include "pase/model/model_problem.hpp"
#include "pase/model/model_file.hpp"
#include "pase/search/distribution.hpp"
#include "pase/search/dp.hpp"
#include "pase/search/order.hpp"

namespace pase::testing {

inline std::string model_path(const std::string& name) {
  return std::string(PASE_SOURCE_DIR) + "/inputs/" + name + ".json";
}

struct Search {
  Problem problem;
  Plan plan;
};

inline Search make_search(Problem problem) {
  Search s{std::move(problem), {}};
  s.plan = make_plan(s.problem, elimination_order(s.problem, OrderKind::greedy));
  return s;
}

inline Search network_search(const std::string& name, std::int64_t procs) {
  ProblemOptions options;
  options.procs = procs;
  return make_search(build_problem(load_model(model_path(name)), options).problem);
}

// Random connected graphs with random configuration counts (1 to 13), as in the distributed DP tests.
inline Problem random_problem(std::mt19937& rng) {
  std::uniform_int_distribution<int> vertices(2, 9), configs(1, 13), extra(0, 4), cost(0, 20);
  Problem p;
  const int n = vertices(rng);
  for (int v = 0; v < n; ++v) {
    ProblemVertex vertex{"v" + std::to_string(v), {}};
    for (int c = configs(rng); c > 0; --c) vertex.costs.push_back(cost(rng) + 0.1 * cost(rng));
    p.vertices.push_back(vertex);
  }
  auto add_edge = [&](int a, int b) {
    std::vector<double> costs;
    for (std::size_t k = 0; k < p.config_count(a) * p.config_count(b); ++k) costs.push_back(cost(rng) + 0.01 * cost(rng));
    p.edges.push_back(make_edge(a, b, std::move(costs)));
  };
  for (int v = 1; v < n; ++v) add_edge(std::uniform_int_distribution<int>(0, v - 1)(rng), v);
  for (int k = extra(rng); k > 0; --k) {
    const int a = std::uniform_int_distribution<int>(0, n - 1)(rng),
              b = std::uniform_int_distribution<int>(0, n - 1)(rng);
    if (a != b) add_edge(std::min(a, b), std::max(a, b));
  }
  return p;
}

// A fingerprint with every field, for tests that do not come from a model file.
inline SearchFingerprint test_fingerprint(const std::string& tag = "test") {
  SearchFingerprint f;
  for (const auto& name : fingerprint_field_names()) f.fields.push_back({name, tag + ":" + name});
  return f;
}

// Writes a checkpoint to `path` after step `stop_after` and stops the search there.
class StopAndWrite final : public DpListener {
 public:
  StopAndWrite(const Search& search, const Distribution& d, std::string path, int stop_after, Collectives& comm,
               const SearchFingerprint& fingerprint)
      : search_(search), d_(d), path_(std::move(path)), stop_after_(stop_after), comm_(comm),
        fingerprint_(fingerprint) {}
  bool after_step(const DpState& state) override {
    if (state.steps_done != stop_after_) return false;
    write_checkpoint(path_, CheckpointInput{search_.problem, search_.plan, d_, state, fingerprint_, "model.json"},
                     comm_);
    return true;
  }

 private:
  const Search& search_;
  const Distribution& d_;
  std::string path_;
  int stop_after_;
  Collectives& comm_;
  const SearchFingerprint& fingerprint_;
};

// Runs the search until step `stop_after` and writes the checkpoint there.
inline void write_at(const Search& s, const std::string& path, int stop_after, Collectives& comm,
                     std::uint64_t replicate_below = 1 << 18, int threads = 1) {
  const DpOptions options{threads, replicate_below};
  const Distribution d = distribute(s.problem, s.plan, comm.size(), replicate_below);
  const SearchFingerprint fingerprint = test_fingerprint();
  StopAndWrite listener(s, d, path, stop_after, comm, fingerprint);
  EXPECT_THROW(solve(s.problem, s.plan, options, comm, nullptr, &listener), SearchInterrupted);
}

// Verifies the checkpoint, loads it for this rank count and finishes the search.
inline Solution resume_from(const Search& s, const std::string& path, Collectives& comm,
                            std::uint64_t replicate_below = 1 << 18, int threads = 1) {
  const DpOptions options{threads, replicate_below};
  const Distribution d = distribute(s.problem, s.plan, comm.size(), replicate_below);
  CheckpointReader reader(path, comm);
  reader.verify();
  EXPECT_EQ(describe_differences(reader.header().fingerprint, test_fingerprint()), "");
  DpState start = reader.load(s.problem, s.plan, d);
  reader.close();
  return solve(s.problem, s.plan, options, comm, nullptr, nullptr, std::move(start));
}

inline void expect_same(const Solution& expected, const Solution& actual, const std::string& what) {
  EXPECT_EQ(expected.total_cost, actual.total_cost) << what;  // bit for bit
  EXPECT_EQ(expected.dp_minimum, actual.dp_minimum) << what;
  EXPECT_EQ(expected.configs, actual.configs) << what;
}

}  // namespace pase::testing
