#include "pase/model/expression.hpp"

#include <cctype>
#include <cstdint>
#include <stdexcept>

#include "pase/limits.hpp"

namespace pase {

namespace {

class Parser {
 public:
  Parser(const std::string& text, const Parameters& params) : text_(text), params_(params) {}

  std::int64_t parse() {
    const auto value = sum();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    const auto shown = text_.size() > 80 ? text_.substr(0, 80) + "..." : text_;
    throw std::invalid_argument("expression '" + shown + "': " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool take(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::int64_t sum() {
    auto value = term();
    for (;;) {
      if (take('+')) {
        const auto rhs = term();
        if (__builtin_add_overflow(value, rhs, &value)) fail("integer overflow");
      } else if (take('-')) {
        const auto rhs = term();
        if (__builtin_sub_overflow(value, rhs, &value)) fail("integer overflow");
      } else {
        return value;
      }
    }
  }
  std::int64_t term() {
    auto value = factor();
    for (;;) {
      if (take('*')) {
        const auto rhs = factor();
        if (__builtin_mul_overflow(value, rhs, &value)) fail("integer overflow");
      } else if (take('/')) {
        const auto d = factor();
        if (d == 0) fail("division by zero");
        if (d == -1 && value == INT64_MIN) fail("integer overflow");
        if (value % d != 0) fail(std::to_string(value) + " / " + std::to_string(d) + " is not exact");
        value /= d;
      } else if (take('%')) {
        const auto d = factor();
        if (d == 0) fail("division by zero");
        value = d == -1 ? 0 : value % d;
      } else {
        return value;
      }
    }
  }
  std::int64_t factor() {
    if (++depth_ > limits::kMaxExpressionDepth)
      fail("nested more than " + std::to_string(limits::kMaxExpressionDepth) + " deep; simplify it");
    const auto value = unary();
    --depth_;
    return value;
  }
  std::int64_t unary() {
    if (take('(')) {
      const auto value = sum();
      if (!take(')')) fail("missing ')'");
      return value;
    }
    if (take('-')) {
      const auto value = factor();
      if (value == INT64_MIN) fail("integer overflow");
      return -value;
    }
    skip_space();
    if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) return number();
    if (pos_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      return name();
    fail(pos_ < text_.size() ? "unexpected '" + std::string(1, text_[pos_]) + "'" : "unexpected end");
  }
  std::int64_t number() {
    std::int64_t value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, text_[pos_] - '0', &value))
        fail("number too large");
      ++pos_;
    }
    return value;
  }
  std::int64_t name() {
    const auto start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    const auto id = text_.substr(start, pos_ - start);
    const auto it = params_.find(id);
    if (it == params_.end()) fail("unknown parameter '" + id + "'");
    return it->second;
  }
  const std::string& text_;
  const Parameters& params_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::int64_t evaluate_expression(const std::string& text, const Parameters& params) {
  return Parser(text, params).parse();
}

}  // namespace pase
