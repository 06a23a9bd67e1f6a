#include "pase/cost/configs.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pase {
namespace {

using Splits = std::vector<std::int64_t>;

TEST(ConfigsTest, allowed_splits_keep_divisors_with_enough_left_per_device) {
  // 12 has divisors 1 2 3 4 6 12; with cutoff 4 only those e with 12 / e >= 4: 1, 2, 3.
  EXPECT_EQ(allowed_splits(12, 4), Splits({1, 2, 3}));
  // cutoff 1 keeps every divisor, ascending.
  EXPECT_EQ(allowed_splits(12, 1), Splits({1, 2, 3, 4, 6, 12}));
  // 16 with cutoff 4: 16/1, 16/2, 16/4 >= 4; 16/8 = 2 is not.
  EXPECT_EQ(allowed_splits(16, 4), Splits({1, 2, 4}));
  // A perfect square lists its root once.
  EXPECT_EQ(allowed_splits(36, 1), Splits({1, 2, 3, 4, 6, 9, 12, 18, 36}));
  // A prime.
  EXPECT_EQ(allowed_splits(7, 1), Splits({1, 7}));
  EXPECT_EQ(allowed_splits(7, 2), Splits({1}));
  // The boundary d / e == cutoff is allowed: 8 / 2 = 4.
  EXPECT_EQ(allowed_splits(8, 4), Splits({1, 2}));
}

TEST(ConfigsTest, allowed_splits_of_huge_dimensions_stop_at_the_device_count) {
  EXPECT_EQ(allowed_splits(std::int64_t{1} << 62, 1, 8), Splits({1, 2, 4, 8}));
  EXPECT_EQ(allowed_splits(INT64_MAX, 1, 64), Splits({1, 7, 49}));  // 2^63 - 1 = 7^2 * 73 * 127 * 337 * 92737 * 649657
  EXPECT_EQ(allowed_splits(12, 1, 5), Splits({1, 2, 3, 4}));
  EXPECT_EQ(allowed_splits(12, 4, 100), allowed_splits(12, 4));
}

TEST(ConfigsTest, allowed_splits_fall_back_to_one_when_nothing_qualifies) {
  // 3 / 1 = 3 < cutoff 4: no divisor qualifies, the prototype then allows {1}.
  EXPECT_EQ(allowed_splits(3, 4), Splits({1}));
  EXPECT_EQ(allowed_splits(1, 1), Splits({1}));
  EXPECT_EQ(allowed_splits(1, 4), Splits({1}));
}

TEST(ConfigsTest, enumerate_configs_applies_the_cutoff_and_the_device_budget_in_lexicographic_order) {
  // dims (8, 3, 4), cutoff 2: 8 -> {1, 2, 4}; 3 -> {1} (3/3 = 1 < 2); 4 -> {1, 2}.
  // Products <= 4, first dimension slowest: (4,1,2) = 8 is over budget.
  const std::vector<Config> expected = {{1, 1, 1}, {1, 1, 2}, {2, 1, 1}, {2, 1, 2}, {4, 1, 1}};
  EXPECT_EQ(enumerate_configs({8, 3, 4}, 4, 2), expected);
}

TEST(ConfigsTest, enumerate_configs_allows_a_product_equal_to_procs) {
  // dims (4, 4), cutoff 1, 4 devices: every (a, b) with a, b in {1, 2, 4} and a * b <= 4.
  const std::vector<Config> expected = {{1, 1}, {1, 2}, {1, 4}, {2, 1}, {2, 2}, {4, 1}};
  EXPECT_EQ(enumerate_configs({4, 4}, 4, 1), expected);
}

TEST(ConfigsTest, enumerate_configs_never_splits_a_dimension_of_size_one) {
  const std::vector<Config> expected = {{1, 1}, {1, 2}, {1, 4}};
  EXPECT_EQ(enumerate_configs({1, 4}, 8, 1), expected);
}

TEST(ConfigsTest, enumerate_configs_with_one_device_is_the_unsplit_configuration) {
  EXPECT_EQ(enumerate_configs({64, 32, 16}, 1, 1), std::vector<Config>({{1, 1, 1}}));
}

TEST(ConfigsTest, enumerate_configs_matches_a_direct_count) {
  // Every tuple of allowed splits with product <= p, counted by nested loops, for a few shapes.
  for (const Shape& dims : {Shape{128, 96, 55}, Shape{64, 12, 12, 3}, Shape{7, 49, 30}}) {
    for (std::int64_t p : {1, 2, 4, 8, 16, 32}) {
      for (std::int64_t cutoff : {1, 4}) {
        std::vector<Config> direct;
        std::vector<Splits> choices;
        for (auto d : dims) {
          Splits s;
          for (std::int64_t e = 1; e <= d; ++e)
            if (d % e == 0 && d / e >= cutoff) s.push_back(e);
          if (s.empty()) s.push_back(1);
          choices.push_back(s);
        }
        // Odometer over the choices, last dimension fastest.
        std::vector<std::size_t> at(dims.size(), 0);
        for (;;) {
          Config c;
          for (std::size_t i = 0; i < dims.size(); ++i) c.push_back(choices[i][at[i]]);
          if (product(c) <= p) direct.push_back(c);
          std::size_t i = dims.size();
          while (i > 0 && ++at[i - 1] == choices[i - 1].size()) at[--i] = 0;
          if (i == 0) break;
        }
        EXPECT_EQ(enumerate_configs(dims, p, cutoff), direct) << "p = " << p << ", cutoff = " << cutoff;
      }
    }
  }
}

TEST(ConfigsTest, product_multiplies_the_splits) {
  EXPECT_EQ(product({2, 3, 4}), 24);
  EXPECT_EQ(product({}), 1);
}

}  // namespace
}  // namespace pase
