#include "pase/model/expression.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace pase {
namespace {

using test::throws_naming;

const Parameters params = {{"batch", 64}, {"d_model", 512}, {"heads", 8}, {"d_ff2", 3}};

std::int64_t eval(const std::string& text) { return evaluate_expression(text, params); }

TEST(ExpressionTest, numbers_and_names) {
  EXPECT_EQ(eval("42"), 42);
  EXPECT_EQ(eval("batch"), 64);
  EXPECT_EQ(eval("d_ff2"), 3);
  EXPECT_EQ(eval("  d_model  "), 512);
}

TEST(ExpressionTest, precedence_and_associativity) {
  EXPECT_EQ(eval("2 + 3 * 4"), 14);
  EXPECT_EQ(eval("(2 + 3) * 4"), 20);
  EXPECT_EQ(eval("10 - 4 - 3"), 3);   // (10 - 4) - 3
  EXPECT_EQ(eval("64 / 4 / 2"), 8);   // (64 / 4) / 2
  EXPECT_EQ(eval("2 * 3 % 4"), 2);    // (2 * 3) % 4
  EXPECT_EQ(eval("1 + 10 % 4"), 3);
  EXPECT_EQ(eval("((1))"), 1);
}

TEST(ExpressionTest, parameters_in_expressions) {
  EXPECT_EQ(eval("d_model / heads"), 64);
  EXPECT_EQ(eval("4 * d_model"), 2048);
  EXPECT_EQ(eval("batch*heads+1"), 513);
  EXPECT_EQ(eval("256 * 6 * 6"), 9216);
}

TEST(ExpressionTest, unary_minus) {
  EXPECT_EQ(eval("-3 + 5"), 2);
  EXPECT_EQ(eval("2 * -3"), -6);
  EXPECT_EQ(eval("-(2 + 3)"), -5);
  EXPECT_EQ(eval("--4"), 4);
}

TEST(ExpressionTest, division_must_be_exact) {
  EXPECT_TRUE(throws_naming([] { eval("7 / 2"); }, "7 / 2", "not exact"));
  EXPECT_TRUE(throws_naming([] { eval("d_model / 3"); }, "not exact"));
  EXPECT_TRUE(throws_naming([] { eval("1 / 0"); }, "division by zero"));
  EXPECT_TRUE(throws_naming([] { eval("1 % 0"); }, "division by zero"));
}

TEST(ExpressionTest, unknown_names_are_errors) {
  EXPECT_TRUE(throws_naming([] { eval("batch * seq"); }, "unknown parameter 'seq'"));
}

TEST(ExpressionTest, syntax_errors) {
  for (const char* bad : {"", "2 +", "(2", "2)", "2 3", "* 2", "2 ** 3", "1.5", "a b", "2 $ 3"})
    EXPECT_THROW(eval(bad), std::invalid_argument) << "'" << bad << "'";
  EXPECT_TRUE(throws_naming([] { eval("(2 + 3"); }, "(2 + 3", "')'"));
}

TEST(ExpressionTest, overflow_is_an_error) {
  EXPECT_EQ(eval("9223372036854775807"), INT64_MAX);
  EXPECT_TRUE(throws_naming([] { eval("9223372036854775807 + 1"); }, "overflow"));
  EXPECT_TRUE(throws_naming([] { eval("4294967296 * 4294967296"); }, "overflow"));
  EXPECT_TRUE(throws_naming([] { eval("0 - 9223372036854775807 - 2"); }, "overflow"));
  EXPECT_THROW(eval("99999999999999999999"), std::invalid_argument);
}

TEST(ExpressionTest, negating_the_most_negative_value_overflows) {
  // -(-2^63) does not fit in 64 bits: an overflow, like the other operators (not undefined behaviour).
  EXPECT_EQ(eval("0 - 9223372036854775807 - 1"), INT64_MIN);
  EXPECT_TRUE(throws_naming([] { eval("-(0 - 9223372036854775807 - 1)"); }, "overflow"));
}

// Evaluates `text` in a child process: it must throw std::invalid_argument mentioning overflow, and
// in particular not crash (INT64_MIN / -1 traps on x86-64).
void expect_overflow_without_crash(const std::string& text) {
  EXPECT_EXIT(
      {
        try {
          eval(text);
        } catch (const std::invalid_argument& e) {
          std::exit(std::string(e.what()).find("overflow") != std::string::npos ? 0 : 2);
        }
        std::exit(1);
      },
      ::testing::ExitedWithCode(0), "")
      << text;
}

TEST(ExpressionTest, dividing_the_most_negative_value_by_minus_one_overflows) {
  expect_overflow_without_crash("(0 - 9223372036854775807 - 1) / -1");
}

TEST(ExpressionTest, the_most_negative_value_modulo_minus_one_is_zero) {
  EXPECT_EQ(evaluate_expression("(0 - 9223372036854775807 - 1) % -1", {}), 0);
}

TEST(ExpressionTest, deep_nesting_is_refused_not_a_stack_overflow) {
  const std::string parens = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_THROW(evaluate_expression(parens, {}), std::invalid_argument);
  EXPECT_THROW(evaluate_expression(std::string(200000, '-') + "1", {}), std::invalid_argument);
  try {
    evaluate_expression(parens, {});
  } catch (const std::invalid_argument& e) {
    EXPECT_LT(std::string(e.what()).size(), 200u) << "the error quotes a short prefix, not 200,000 characters";
    EXPECT_NE(std::string(e.what()).find("deep"), std::string::npos) << e.what();
  }
  EXPECT_EQ(evaluate_expression(std::string(100, '(') + "7" + std::string(100, ')'), {}), 7);
}

}  // namespace
}  // namespace pase
