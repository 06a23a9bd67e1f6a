#include "pase/mpi/launcher_watch.hpp"

#include <unistd.h>

#include <csignal>
#include <cstring>

namespace pase {

LauncherWatch::LauncherWatch(std::chrono::milliseconds poll, std::chrono::milliseconds grace)
    : poll_(poll), grace_(grace) {
  const int parent = static_cast<int>(::getppid());
  if (parent <= 1) return;
  thread_ = std::thread([this, parent] { watch(parent); });
}

LauncherWatch::~LauncherWatch() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LauncherWatch::sleep_for(std::chrono::milliseconds time) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, time, [this] { return stopping_; });
}

void LauncherWatch::watch(int parent) {
  while (static_cast<int>(::getppid()) == parent)
    if (!sleep_for(poll_)) return;
  std::signal(SIGPIPE, SIG_IGN);
  ::kill(::getpid(), SIGUSR2);
  if (!sleep_for(grace_)) return;
  static const char message[] = "pase: the MPI launcher of this rank is gone and the rank did not stop; ending it\n";
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, message, std::strlen(message));
  ::_exit(1);
}

}  // namespace pase
