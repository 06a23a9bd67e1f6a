#pragma once
// An operator's attributes as the model loader resolved them: integer lists and strings by name.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pase {

class Attributes {
 public:
  void set_ints(const std::string& name, std::vector<std::int64_t> values) { ints_[name] = std::move(values); }
  void set_string(const std::string& name, std::string value) { strings_[name] = std::move(value); }
  void set_bool(const std::string& name, bool value) { bools_[name] = value; }
  void set_numbers(const std::string& name, std::vector<double> values) { numbers_[name] = std::move(values); }

  bool has(const std::string& name) const;

  // Each throws std::invalid_argument("field 'NAME': ...") when missing or of the wrong form.
  std::int64_t integer(const std::string& name) const;
  std::int64_t integer_or(const std::string& name, std::int64_t fallback) const;
  std::vector<std::int64_t> integers(const std::string& name) const;
  // An int or a list of two ints, as a pair (for stride, pad, window).
  std::vector<std::int64_t> pair_or(const std::string& name, std::int64_t fallback) const;
  std::string text(const std::string& name) const;
  bool boolean_or(const std::string& name, bool fallback) const;
  std::vector<double> numbers(const std::string& name) const;
  std::optional<std::vector<std::int64_t>> optional_integers(const std::string& name) const;

  // Names that were set but never read: attributes the operator does not know (typos).
  std::vector<std::string> unread() const;
  // Every attribute in a fixed order: equal strings mean equal attributes.
  std::string canonical() const;

 private:
  std::map<std::string, std::vector<std::int64_t>> ints_;
  std::map<std::string, std::string> strings_;
  std::map<std::string, bool> bools_;
  std::map<std::string, std::vector<double>> numbers_;
  mutable std::set<std::string> read_;
};

}  // namespace pase
