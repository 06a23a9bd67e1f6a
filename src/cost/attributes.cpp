#include "pase/cost/attributes.hpp"

#include <stdexcept>

namespace pase {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::invalid_argument("field '" + name + "': " + what);
}

}  // namespace

bool Attributes::has(const std::string& name) const {
  read_.insert(name);
  return ints_.count(name) || strings_.count(name) || bools_.count(name) || numbers_.count(name);
}

std::int64_t Attributes::integer(const std::string& name) const {
  read_.insert(name);
  const auto it = ints_.find(name);
  if (it == ints_.end()) fail(name, "missing; it must be an integer");
  if (it->second.size() != 1) fail(name, "must be a single integer");
  return it->second[0];
}

std::int64_t Attributes::integer_or(const std::string& name, std::int64_t fallback) const {
  return has(name) ? integer(name) : fallback;
}

std::vector<std::int64_t> Attributes::integers(const std::string& name) const {
  read_.insert(name);
  const auto it = ints_.find(name);
  if (it == ints_.end()) fail(name, "missing; it must be a list of integers");
  return it->second;
}

std::optional<std::vector<std::int64_t>> Attributes::optional_integers(const std::string& name) const {
  read_.insert(name);
  if (!has(name)) return std::nullopt;
  return integers(name);
}

std::vector<std::int64_t> Attributes::pair_or(const std::string& name, std::int64_t fallback) const {
  if (!has(name)) return {fallback, fallback};
  const auto values = integers(name);
  if (values.size() == 1) return {values[0], values[0]};
  if (values.size() != 2) fail(name, "must be an integer or a list of two integers");
  return values;
}

std::string Attributes::text(const std::string& name) const {
  read_.insert(name);
  const auto it = strings_.find(name);
  if (it == strings_.end()) fail(name, "missing; it must be a string");
  return it->second;
}

bool Attributes::boolean_or(const std::string& name, bool fallback) const {
  read_.insert(name);
  const auto it = bools_.find(name);
  if (it == bools_.end()) {
    if (has(name)) fail(name, "must be true or false");
    return fallback;
  }
  return it->second;
}

std::vector<double> Attributes::numbers(const std::string& name) const {
  read_.insert(name);
  const auto it = numbers_.find(name);
  if (it == numbers_.end()) fail(name, "missing; it must be a list of numbers");
  return it->second;
}

std::string Attributes::canonical() const {
  std::string out;
  for (const auto& [name, values] : ints_) {
    out += name + "=";
    for (auto v : values) out += std::to_string(v) + ",";
    out += ";";
  }
  for (const auto& [name, value] : strings_) out += name + "='" + value + "';";
  for (const auto& [name, value] : bools_) out += name + (value ? "=true;" : "=false;");
  for (const auto& [name, values] : numbers_) {
    out += name + "=";
    for (auto v : values) out += std::to_string(v) + ",";
    out += ";";
  }
  return out;
}

std::vector<std::string> Attributes::unread() const {
  std::vector<std::string> names;
  auto collect = [&](const auto& map) {
    for (const auto& [name, value] : map)
      if (!read_.count(name)) names.push_back(name);
  };
  collect(ints_);
  collect(strings_);
  collect(bools_);
  collect(numbers_);
  return names;
}

}  // namespace pase
