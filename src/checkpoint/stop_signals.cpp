#include "pase/checkpoint/stop_signals.hpp"

#include <csignal>

namespace pase {

namespace {

// Written only by the handlers (each signal is blocked while its handler runs).
volatile std::sig_atomic_t checkpoint_requests = 0;
volatile std::sig_atomic_t stop_requests = 0;
std::sig_atomic_t checkpoint_requests_seen = 0;

constexpr int stop_signals[] = {SIGTERM, SIGINT, SIGUSR2};
struct sigaction previous[5];

extern "C" void on_signal(int signal) {
  if (signal == SIGUSR1) {
    checkpoint_requests = checkpoint_requests + 1;
    return;
  }
  if (stop_requests > 0) {  // the second stop: at once
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  stop_requests = 1;
}

}  // namespace

StopSignals::StopSignals() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &action, &previous[0]);
  for (int i = 0; i < 3; ++i) sigaction(stop_signals[i], &action, &previous[i + 1]);
  // A file size limit (ulimit -f) makes writes fail with EFBIG, reported, instead of killing us.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGXFSZ, &ignore, &previous[4]);
}

StopSignals::~StopSignals() {
  sigaction(SIGUSR1, &previous[0], nullptr);
  for (int i = 0; i < 3; ++i) sigaction(stop_signals[i], &previous[i + 1], nullptr);
  sigaction(SIGXFSZ, &previous[4], nullptr);
}

bool StopSignals::take_checkpoint_request() {
  const std::sig_atomic_t now = checkpoint_requests;
  if (now == checkpoint_requests_seen) return false;
  checkpoint_requests_seen = now;
  return true;
}

bool StopSignals::stop_requested() const { return stop_requests > 0; }

}  // namespace pase
