// libFuzzer target: the integer expression language of model files ("batch * seq / heads").
// Errors are std::invalid_argument; overflow, division by zero and deep nesting must be refused.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "pase/model/expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const pase::Parameters params = {
      {"batch", 64}, {"big", INT64_MAX}, {"small", INT64_MIN}, {"neg", -5}, {"zero", 0}};
  try {
    (void)pase::evaluate_expression(std::string(reinterpret_cast<const char*>(data), size), params);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
