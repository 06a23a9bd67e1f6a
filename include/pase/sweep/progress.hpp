#pragma once
// Progress of a long sweep on stderr: points done of the total, the rate and the estimated time left.
// On a terminal one line is rewritten about twice a second; otherwise a line is printed every
// `interval_s` seconds.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace pase {

class ProgressMeter {
 public:
  // `before`: points finished by earlier runs; `to_run`: points this run computes.
  ProgressMeter(std::ostream& out, bool terminal, std::uint64_t before, std::uint64_t to_run, double interval_s = 5.0);

  void update(std::uint64_t done_now);  // prints when it is time
  void finish(std::uint64_t done_now);  // prints the final line
  std::string line(std::uint64_t done_now) const;

 private:
  std::ostream& out_;
  bool terminal_;
  std::uint64_t before_, to_run_;
  double interval_s_;
  std::chrono::steady_clock::time_point start_, last_;
};

// "1:02:03" or "2:03".
std::string format_duration(double seconds);

}  // namespace pase
