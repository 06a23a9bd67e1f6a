#pragma once
// Helpers for the sweep tests: temporary folders, files, and running the pase binary.

#include <string>
#include <vector>

namespace pase::test {

// A fresh folder under $TMPDIR (or /tmp), removed with its content when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

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
