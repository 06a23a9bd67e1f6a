#include "pase/bytes.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace pase {

std::string format_bytes(std::uint64_t bytes) {
  // A saturated size (saturating.hpp) is only a lower bound.
  if (bytes == std::numeric_limits<std::uint64_t>::max()) return "more than 16.0 EiB";
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 6) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

std::uint64_t parse_bytes(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  double value = 0;
  // Decimal digits only: std::stod would also take "0x10", " 5", "inf" and "nan".
  const bool decimal = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '.') &&
                       text.find_first_of("xX") == std::string::npos;
  try {
    if (decimal) value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string suffix = text.substr(used);
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.pop_back();
  if (!suffix.empty() && suffix.back() == 'i') suffix.pop_back();
  const std::string units = "KMGTP";
  double scale = 1;
  if (suffix.size() == 1 && units.find(static_cast<char>(std::toupper(suffix[0]))) != std::string::npos)
    scale = std::pow(1024.0, static_cast<double>(units.find(static_cast<char>(std::toupper(suffix[0]))) + 1));
  else if (!suffix.empty())
    used = 0;
  if (used == 0 || !(value >= 0) || !std::isfinite(value * scale) || value * scale > 1.8e19)
    throw std::invalid_argument(option + ": '" + text + "' is not a size; write for example 512M, 16G or 0");
  return static_cast<std::uint64_t>(value * scale);
}

}  // namespace pase
