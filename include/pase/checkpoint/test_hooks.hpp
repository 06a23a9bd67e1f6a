#pragma once
// Hooks for tests only, set by environment variables (documented in src/checkpoint/README.md as test
// hooks, not user options). They read the environment only in builds with the CMake option
// PASE_TEST_HOOKS (on in test builds); otherwise every hook is off:
//   PASE_STOP_AFTER_STEP=N      ask for "checkpoint and stop" after DP step N, as SIGUSR2 would
//   PASE_CRASH_AT=POINT         _exit(crash_exit_code) at a named point of writing a checkpoint:
//                               mid-write, before-flush, after-close, after-rename
//   PASE_CHECKPOINT_SLEEP_MS=T  sleep T ms in the middle of writing each checkpoint (to let a
//                               SIGKILL land while one is being written)
//   PASE_STEP_SLEEP_MS=T        sleep T ms after every DP step of a checkpointing search (to make
//                               a small search last long enough to be signalled)

#include <string>

namespace pase {

inline constexpr int crash_exit_code = 86;

struct TestHooks {
  long stop_after_step = -1;  // -1: never
  std::string crash_at;
  long checkpoint_sleep_ms = 0;
  long step_sleep_ms = 0;
};

// Read from the environment once.
const TestHooks& test_hooks();

// Ends the process at once (no cleanup, like a crash) when PASE_CRASH_AT names `point`.
void crash_point(const char* point);

}  // namespace pase
