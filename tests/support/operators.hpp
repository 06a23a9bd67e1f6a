#pragma once
// Building operators from attributes in the tests, and the cost of one configuration.

#include <memory>
#include <string>
#include <vector>

#include "pase/cost/attributes.hpp"
#include "pase/cost/cost_math.hpp"
#include "pase/cost/operator.hpp"

namespace pase::test {

// Attributes by chained calls: Attrs().ints("filter", {4, 2, 3, 3}).ints("stride", {2}).
class Attrs {
 public:
  Attrs& ints(const std::string& name, std::vector<std::int64_t> values) {
    a_.set_ints(name, std::move(values));
    return *this;
  }
  Attrs& integer(const std::string& name, std::int64_t value) { return ints(name, {value}); }
  Attrs& text(const std::string& name, const std::string& value) {
    a_.set_string(name, value);
    return *this;
  }
  Attrs& flag(const std::string& name, bool value) {
    a_.set_bool(name, value);
    return *this;
  }
  Attrs& numbers(const std::string& name, std::vector<double> values) {
    a_.set_numbers(name, std::move(values));
    return *this;
  }
  const Attributes& get() const { return a_; }

 private:
  Attributes a_;
};

inline std::unique_ptr<Operator> make(const std::string& kind, const std::vector<Shape>& inputs,
                                      const Attrs& attrs = Attrs()) {
  return make_operator(kind, inputs, attrs.get());
}

// The operator's cost of configuration `c` with r FLOP per word.
inline double cost_of(const Operator& op, const Config& c, double r = 10.0) {
  return op.costs({c}, CostMath(r)).at(0);
}

}  // namespace pase::test
