#pragma once
// A rank whose launcher died stops (issue 16). A launcher (mpirun, orted, slurmstepd) starts its
// ranks as its children, so a rank whose parent process changes has lost its launcher: nobody
// reads its output any more, and left running it would hold the checkpoint's or results file's
// lock for ever. The watch polls getppid() from a thread of its own; once the parent changed it
// ignores SIGPIPE (its output pipes have no reader), sends the process SIGUSR2, the signal that
// makes a checkpointing search write its checkpoint and stop with exit code 75 (elsewhere its
// default action ends the process; sweep journals are safe against that), and ends the process
// with exit code 1 if it still runs `grace` later.
// Open MPI 4.1 (Debian 12) ends its ranks itself about a second after `kill -9 mpirun` (its PMIx
// client loses the server and exits with code 195); the watch is for launchers that do not.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pase {

class LauncherWatch {
 public:
  static constexpr std::chrono::milliseconds default_poll{200};
  static constexpr std::chrono::seconds default_grace{60};

  // Watches the current parent process; nothing when the parent is already init (pid 1).
  explicit LauncherWatch(std::chrono::milliseconds poll = default_poll,
                         std::chrono::milliseconds grace = default_grace);
  ~LauncherWatch();  // stops watching
  LauncherWatch(const LauncherWatch&) = delete;
  LauncherWatch& operator=(const LauncherWatch&) = delete;

 private:
  void watch(int parent);
  // Sleeps up to `time`; false once the watch is being stopped.
  bool sleep_for(std::chrono::milliseconds time);

  std::chrono::milliseconds poll_, grace_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pase
