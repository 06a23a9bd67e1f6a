// Time to train and cost: steps from tokens, samples or steps; device-hours of every device; prices.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "pase/report/training_cost.hpp"

namespace pase {
namespace {

using Unit = TrainingAmount::Unit;

TEST(TrainingCostTest, steps_come_from_tokens_samples_or_steps_rounded_up) {
  EXPECT_EQ(training_steps({Unit::tokens, 1e6}, 8, 1024), std::ceil(1e6 / 8192));
  EXPECT_EQ(training_steps({Unit::tokens, 8192 * 3}, 8, 1024), 3);
  EXPECT_EQ(training_steps({Unit::samples, 100}, 8, -1), 13);
  EXPECT_EQ(training_steps({Unit::steps, 41.2}, -1, -1), 42);
  EXPECT_THROW(training_steps({Unit::tokens, 1e6}, 8, -1), std::invalid_argument);
  EXPECT_THROW(training_steps({Unit::samples, 1e6}, -1, -1), std::invalid_argument);
  EXPECT_THROW(training_steps({}, 8, 8), std::invalid_argument);
}

TEST(TrainingCostTest, every_device_of_the_run_is_paid_for) {
  const TrainingCost c = training_cost(3600, 0.5, 16, 2.0);  // 1800 s on 16 devices
  EXPECT_DOUBLE_EQ(c.seconds, 1800);
  EXPECT_DOUBLE_EQ(c.device_hours, 8);
  EXPECT_DOUBLE_EQ(c.cost, 16);
  EXPECT_TRUE(std::isnan(training_cost(10, 1, 1, std::nullopt).cost));
}

TEST(TrainingCostTest, counts_durations_and_prices_parse_with_units_and_refuse_nonsense) {
  EXPECT_EQ(parse_count("--tokens", "300B"), 300e9);
  EXPECT_EQ(parse_count("--tokens", "3e11"), 3e11);
  EXPECT_EQ(parse_count("--tokens", "1.5T"), 1.5e12);
  EXPECT_EQ(parse_count("--samples", "20k"), 20e3);
  for (const char* bad : {"", "-5", "0", "12x", "0x10", "inf", "nan", "5 B"})
    EXPECT_THROW(parse_count("--tokens", bad), std::invalid_argument) << bad;
  EXPECT_EQ(parse_duration("--deadline", "14d"), 14 * 86400.0);
  EXPECT_EQ(parse_duration("--deadline", "36h"), 36 * 3600.0);
  EXPECT_EQ(parse_duration("--deadline", "90min"), 5400.0);
  EXPECT_EQ(parse_duration("--deadline", "2w"), 14 * 86400.0);
  for (const char* bad : {"14", "14days", "-1d", "d"}) EXPECT_THROW(parse_duration("--deadline", bad), std::invalid_argument) << bad;
  DevicePrices p;
  EXPECT_FALSE(p.of("dgx-a100"));
  p.add("2.5");
  p.add("dgx-h100=4");
  EXPECT_EQ(*p.of("dgx-a100"), 2.5);
  EXPECT_EQ(*p.of("dgx-h100"), 4);
  EXPECT_THROW(p.add("=4"), std::invalid_argument);
  EXPECT_THROW(p.add("dgx-h100=cheap"), std::invalid_argument);
  EXPECT_THROW(p.add("-1"), std::invalid_argument);
}

TEST(TrainingCostTest, durations_read_in_the_largest_sensible_unit) {
  EXPECT_EQ(duration_text(40), "40 s");
  EXPECT_EQ(duration_text(720), "12 min");
  EXPECT_EQ(duration_text(5 * 3600), "5 h");
  EXPECT_EQ(duration_text(3.5 * 86400), "3.5 days");
}

}  // namespace
}  // namespace pase
