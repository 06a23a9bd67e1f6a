// The launcher watch (issue 16): a process whose parent dies is sent SIGUSR2, and is ended with
// exit code 1 if it does not stop within the grace time. Each case forks a "launcher" child that
// forks the watched grandchild, kills the launcher with SIGKILL and watches the grandchild through
// a pipe: what it writes, and the end of file when it is gone.
#include "pase/mpi/launcher_watch.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>

namespace pase {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int report_fd = -1;
extern "C" void on_usr2(int) {
  [[maybe_unused]] auto n = ::write(report_fd, "S", 1);
  ::_exit(0);
}

enum class Grandchild { handles_usr2, ignores_usr2, parent_is_kept };

struct Outcome {
  std::string written;  // by the grandchild
  double seconds = -1;  // from the launcher's death to the end of file (-1: none within 10 s)
};

Outcome run(Grandchild kind) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t launcher = ::fork();
  if (launcher == 0) {
    ::close(fds[0]);
    if (::fork() == 0) {
      report_fd = fds[1];
      if (kind == Grandchild::handles_usr2) std::signal(SIGUSR2, on_usr2);
      if (kind == Grandchild::ignores_usr2) std::signal(SIGUSR2, SIG_IGN);
      LauncherWatch watch(10ms, 400ms);
      [[maybe_unused]] auto n = ::write(fds[1], "R", 1);
      for (int i = 0; i < 100; ++i) ::usleep(10000);  // 1 s, then a normal end
      n = ::write(fds[1], "E", 1);
      ::_exit(0);
    }
    ::close(fds[1]);
    for (;;) ::pause();  // until the test kills it
  }
  ::close(fds[1]);
  Outcome out;
  char c = 0;
  EXPECT_EQ(::read(fds[0], &c, 1), 1);  // the grandchild watches
  out.written += c;
  if (kind != Grandchild::parent_is_kept) ::kill(launcher, SIGKILL);
  const auto killed = Clock::now();
  pollfd p{fds[0], POLLIN, 0};
  while (::poll(&p, 1, 10000) > 0) {
    if (::read(fds[0], &c, 1) != 1) {
      out.seconds = std::chrono::duration<double>(Clock::now() - killed).count();
      break;
    }
    out.written += c;
  }
  ::close(fds[0]);
  ::kill(launcher, SIGKILL);
  ::waitpid(launcher, nullptr, 0);
  return out;
}

TEST(LauncherWatchTest, a_process_whose_launcher_dies_is_sent_sigusr2) {
  const Outcome out = run(Grandchild::handles_usr2);
  EXPECT_EQ(out.written, "RS");
  EXPECT_GE(out.seconds, 0);
  EXPECT_LT(out.seconds, 0.5);  // polled every 10 ms
}

TEST(LauncherWatchTest, a_process_that_does_not_stop_is_ended_after_the_grace_time) {
  const Outcome out = run(Grandchild::ignores_usr2);
  EXPECT_EQ(out.written, "R");  // never reached its normal end (1 s)
  EXPECT_GE(out.seconds, 0.35);
  EXPECT_LT(out.seconds, 0.95);
}

TEST(LauncherWatchTest, a_living_launcher_is_left_alone) {
  const Outcome out = run(Grandchild::parent_is_kept);
  EXPECT_EQ(out.written, "RE");  // ran its 1 s to the end
  EXPECT_GE(out.seconds, 0);
}

}  // namespace
}  // namespace pase
