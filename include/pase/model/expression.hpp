#pragma once
// Integer expressions over named parameters: numbers, names, + - * / % and parentheses.

#include <cstdint>
#include <map>
#include <string>

namespace pase {

using Parameters = std::map<std::string, std::int64_t>;

// Throws std::invalid_argument on a syntax error, an unknown name, a division that is not exact,
// a division by zero or an overflow.
std::int64_t evaluate_expression(const std::string& text, const Parameters& params);

}  // namespace pase
