#include "pase/checkpoint/test_hooks.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace pase {

#if PASE_TEST_HOOKS
namespace {

long number(const char* name, long fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0') throw std::invalid_argument(std::string(name) + ": '" + text + "' is not a whole number");
  return value;
}

TestHooks read_hooks() {
  TestHooks hooks;
  hooks.stop_after_step = number("PASE_STOP_AFTER_STEP", -1);
  hooks.checkpoint_sleep_ms = number("PASE_CHECKPOINT_SLEEP_MS", 0);
  hooks.step_sleep_ms = number("PASE_STEP_SLEEP_MS", 0);
  if (const char* at = std::getenv("PASE_CRASH_AT")) hooks.crash_at = at;
  for (const char* point : {"", "mid-write", "before-flush", "after-close", "after-rename"})
    if (hooks.crash_at == point) return hooks;
  throw std::invalid_argument("PASE_CRASH_AT: unknown point '" + hooks.crash_at +
                              "'; use mid-write, before-flush, after-close or after-rename");
}

}  // namespace

const TestHooks& test_hooks() {
  static const TestHooks hooks = read_hooks();
  return hooks;
}
#else
// A build without the test hooks: the environment is never read, every hook is off.
const TestHooks& test_hooks() {
  static const TestHooks hooks;
  return hooks;
}
#endif

void crash_point(const char* point) {
  if (test_hooks().crash_at == point) ::_exit(crash_exit_code);
}

}  // namespace pase
