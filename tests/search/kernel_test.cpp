// The DP kernel on hand-built inputs: every table entry against a direct computation, factors at
// every loop level, and the same results whatever range [begin, end) a call covers.
#include "pase/search/kernel.hpp"

#include <gtest/gtest.h>

#include <random>

namespace pase {
namespace {

// Factor data with integer values (exact sums, many ties).
std::vector<double> random_data(std::mt19937& rng, std::size_t n) {
  std::vector<double> v(n);
  for (auto& x : v) x = static_cast<double>(rng() % 4);
  return v;
}

struct KernelCase {
  std::size_t k = 0;  // configurations of the eliminated vertex
  std::vector<double> vertex;
  std::vector<std::vector<double>> data;
  KernelInput input;
};

// Two loop levels with extents (3, 4); the output table is laid out with the inner level slowest
// (strides 1 and 3). Factors: one on no level, one on level 0, two on level 1, one on both.
KernelCase make_setup(std::size_t k, unsigned seed) {
  std::mt19937 rng(seed);
  KernelCase s;
  s.k = k;
  s.vertex = random_data(rng, k);
  s.data = {random_data(rng, k), random_data(rng, 3 * k), random_data(rng, 4 * k), random_data(rng, 4 * k),
            random_data(rng, 12 * k)};
  s.input.configs = k;
  s.input.extents = {3, 4};
  s.input.out_strides = {1, 3};
  const std::vector<std::vector<std::uint64_t>> strides = {{0, 0}, {k, 0}, {0, k}, {0, k}, {k, 3 * k}};
  const std::vector<int> levels = {-1, 0, 1, 1, 1};
  for (std::size_t f = 0; f < s.data.size(); ++f) s.input.factors.push_back({nullptr, strides[f], levels[f]});
  return s;
}

// Points the factors at the data (after the KernelCase has stopped moving).
void bind(KernelCase& s) {
  s.input.vertex_costs = s.vertex.data();
  for (std::size_t f = 0; f < s.data.size(); ++f) s.input.factors[f].data = s.data[f].data();
}

// The entry for loop values (a, b): minimum over c of the vertex cost plus every factor, first c on ties.
std::pair<double, int> direct(const KernelCase& s, std::uint64_t a, std::uint64_t b) {
  double best = 0;
  int arg = -1;
  for (std::size_t c = 0; c < s.k; ++c) {
    double sum = s.vertex[c];
    for (std::size_t f = 0; f < s.data.size(); ++f) {
      const auto& st = s.input.factors[f].strides;
      sum += s.data[f][st[0] * a + st[1] * b + c];
    }
    if (arg < 0 || sum < best) best = sum, arg = static_cast<int>(c);
  }
  return {best, arg};
}

TEST(KernelTest, every_entry_is_the_minimum_over_the_eliminated_vertex) {
  for (std::size_t k : {1u, 3u, 4u, 5u, 8u, 11u}) {
    KernelCase s = make_setup(k, static_cast<unsigned>(k));
    bind(s);
    std::vector<double> costs(12, -1.0);
    std::vector<std::uint8_t> argmin(12, 255);
    run_kernel<std::uint8_t>(s.input, 0, 12, 0, costs.data(), argmin.data());
    for (std::uint64_t a = 0; a < 3; ++a)
      for (std::uint64_t b = 0; b < 4; ++b) {
        const auto [value, arg] = direct(s, a, b);
        const std::uint64_t o = a * 1 + b * 3;
        EXPECT_EQ(costs[o], value) << "k " << k << " at (" << a << ", " << b << ")";
        EXPECT_EQ(argmin[o], arg) << "k " << k << " at (" << a << ", " << b << ")";
      }
  }
}

TEST(KernelTest, results_do_not_depend_on_the_range_of_a_call) {
  KernelCase s = make_setup(6, 99);
  bind(s);
  std::vector<double> whole(12), pieces(12, -1.0);
  std::vector<std::uint16_t> whole_arg(12), pieces_arg(12, 999);
  run_kernel<std::uint16_t>(s.input, 0, 12, 0, whole.data(), whole_arg.data());
  // Ranges that start and end inside an innermost run: [0,3) [3,5) [5,10) [10,12).
  for (auto [begin, end] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 3}, {3, 5}, {5, 10}, {10, 12}})
    run_kernel<std::uint16_t>(s.input, begin, end, 0, pieces.data(), pieces_arg.data());
  EXPECT_EQ(pieces, whole);
  EXPECT_EQ(pieces_arg, whole_arg);
}

TEST(KernelTest, output_origin_offsets_the_output_arrays) {
  // Flat range [4, 8) is a = 1, b = 0..3: table offsets 1 + 3b = 1, 4, 7, 10. With origin 1 they land
  // at 0, 3, 6, 9 of a 10-entry buffer.
  KernelCase s = make_setup(5, 7);
  bind(s);
  std::vector<double> out(10, -1.0);
  std::vector<std::uint32_t> arg(10, 999);
  run_kernel<std::uint32_t>(s.input, 4, 8, 1, out.data(), arg.data());
  for (std::uint64_t b = 0; b < 4; ++b) {
    const auto [value, index] = direct(s, 1, b);
    EXPECT_EQ(out[3 * b], value);
    EXPECT_EQ(arg[3 * b], static_cast<std::uint32_t>(index));
  }
  EXPECT_EQ(out[1], -1.0);  // untouched
}

TEST(KernelTest, no_loop_levels_gives_one_entry) {
  // A vertex with no dependent set: its costs plus a constant factor, one entry.
  const std::vector<double> vertex = {4, 2, 3, 2, 5}, constant = {1, 1, 0, 1, 1};
  KernelInput input;
  input.configs = 5;
  input.vertex_costs = vertex.data();
  input.factors.push_back({constant.data(), {}, -1});
  double cost = -1;
  std::uint8_t arg = 255;
  run_kernel<std::uint8_t>(input, 0, 1, 0, &cost, &arg);
  // sums 5 3 3 3 6: minimum 3, first at 1
  EXPECT_EQ(cost, 3.0);
  EXPECT_EQ(arg, 1);
}

}  // namespace
}  // namespace pase
