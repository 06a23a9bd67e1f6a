#pragma once
// Helpers for tests that run programs: the pase binary (optionally under mpiexec), in the
// background, killed, waited for.

#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace pase::test {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out, err;
};

// Runs argv[0] with the arguments and waits; stdout and stderr are captured.
CommandResult run_command(const std::vector<std::string>& argv);

// Starts argv in its own process group, returns its pid; output goes to the given files.
int start_command(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file);
// SIGKILL to the process and every descendant (found through /proc), then reaps the process.
void kill_tree(int pid);
// Waits for the process; its exit code, or -1 when a signal ended it.
int wait_command(int pid);
// True when the process has ended (and reaps it); `exit_code` as in wait_command.
bool poll_command(int pid, int& exit_code);

// The pase binary, mpiexec and the repository, as configured by CMake.
std::string pase_binary();
std::string mpiexec();
std::string source_dir();

// The command line that runs pase on `ranks` ranks (plain pase for 1 unless `force_mpiexec`).
std::vector<std::string> pase_command(int ranks, const std::vector<std::string>& args, bool force_mpiexec = false);

}  // namespace pase::test
