#include "pase/sweep/progress.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace pase {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  char text[48];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  return text;
}

ProgressMeter::ProgressMeter(std::ostream& out, bool terminal, std::uint64_t before, std::uint64_t to_run,
                             double interval_s)
    : out_(out), terminal_(terminal), before_(before), to_run_(to_run), interval_s_(interval_s),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

std::string ProgressMeter::line(std::uint64_t done_now) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_now) / elapsed : 0.0;
  const std::uint64_t total = before_ + to_run_, done = before_ + done_now;
  const double left = rate > 0 ? static_cast<double>(to_run_ - std::min(done_now, to_run_)) / rate : NAN;
  char text[200];
  std::snprintf(text, sizeof text, "sweep: %llu/%llu points (%.1f%%), %.1f points/s, %s elapsed, %s left",
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0, rate,
                format_duration(elapsed).c_str(), done_now >= to_run_ ? "0:00" : format_duration(left).c_str());
  return text;
}

void ProgressMeter::update(std::uint64_t done_now) {
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (since < (terminal_ ? 0.5 : interval_s_)) return;
  last_ = now;
  if (terminal_) out_ << "\r" << line(done_now) << "\x1b[K" << std::flush;
  else out_ << line(done_now) << "\n" << std::flush;
}

void ProgressMeter::finish(std::uint64_t done_now) {
  if (terminal_) out_ << "\r" << line(done_now) << "\x1b[K\n" << std::flush;
  else out_ << line(done_now) << "\n" << std::flush;
}

}  // namespace pase
