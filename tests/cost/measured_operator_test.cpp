#include <gtest/gtest.h>

#include "support/operators.hpp"
#include "support/test_support.hpp"

namespace pase {
namespace {

using test::Attrs;
using test::make;
using test::throws_naming;

// Configurations [[1, 1], [2, 1], [1, 2]] as the loader passes them: flat, with their width.
Attrs measured_attrs() {
  return Attrs().integer("config_width", 2).ints("configs", {1, 1, 2, 1, 1, 2}).numbers("costs", {5.0, 3.0, 4.5});
}

TEST(MeasuredTest, configurations_and_costs_come_from_the_attributes) {
  const auto m = make("Measured", {}, measured_attrs());
  const std::vector<Config> expected = {{1, 1}, {2, 1}, {1, 2}};
  // The same whatever the device count and cutoff.
  EXPECT_EQ(m->configs(2, 4), expected);
  EXPECT_EQ(m->configs(64, 1), expected);
  EXPECT_EQ(m->costs(expected, CostMath(5000.0)), std::vector<double>({5.0, 3.0, 4.5}));
  // One dimension per entry, as large as its largest split.
  EXPECT_EQ(m->domain(), Shape({2, 2}));
  EXPECT_EQ(m->letters().size(), 2u);
  EXPECT_TRUE(m->input_shapes().empty());
  EXPECT_TRUE(m->output_shapes().empty());
}

TEST(MeasuredTest, errors_name_the_field) {
  EXPECT_TRUE(throws_naming(
      [] {
        make("Measured", {},
             Attrs().integer("config_width", 2).ints("configs", {1, 1, 2, 1}).numbers("costs", {1.0, 2.0, 3.0}));
      },
      "field 'costs'", "3", "2"));
  EXPECT_TRUE(throws_naming([] { make("Measured", {{4}}, measured_attrs()); }, "field 'in'"));
  EXPECT_TRUE(throws_naming(
      [] {
        make("Measured", {}, Attrs().integer("config_width", 2).ints("configs", {1, 0}).numbers("costs", {1.0}));
      },
      "field 'configs'"));
  EXPECT_TRUE(throws_naming(
      [] { make("Measured", {}, Attrs().integer("config_width", 2).ints("configs", {}).numbers("costs", {})); },
      "field 'configs'"));
  EXPECT_TRUE(throws_naming(
      [] { make("Measured", {}, Attrs().integer("config_width", 2).ints("configs", {1, 1})); }, "field 'costs'"));
}

}  // namespace
}  // namespace pase
