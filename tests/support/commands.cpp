#include "support/commands.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace pase::test {

namespace {

std::vector<char*> c_args(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

int start_command(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file) {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0) dup2(out, 1);
    if (err >= 0) dup2(err, 2);
    auto args = c_args(argv);
    execvp(args[0], args.data());
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

int wait_command(int pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return decode(status);
}

bool poll_command(int pid, int& exit_code) {
  int status = 0;
  const pid_t done = waitpid(pid, &status, WNOHANG);
  if (done != pid) return false;
  exit_code = decode(status);
  return true;
}

void kill_tree(int pid) {
  // Parent of every process, from /proc/PID/stat.
  std::map<int, std::vector<int>> children;
  if (DIR* proc = opendir("/proc")) {
    while (const dirent* entry = readdir(proc)) {
      const int child = std::atoi(entry->d_name);
      if (child <= 0) continue;
      std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
      std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      const auto close = text.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(text.substr(close + 2));
      char state = 0;
      int parent = 0;
      rest >> state >> parent;
      children[parent].push_back(child);
    }
    closedir(proc);
  }
  std::vector<int> tree = {pid};
  for (std::size_t i = 0; i < tree.size(); ++i)
    for (const int c : children[tree[i]]) tree.push_back(c);
  for (const int p : tree) kill(p, SIGKILL);
  kill(-pid, SIGKILL);  // and whatever else is in its process group
  wait_command(pid);
}

CommandResult run_command(const std::vector<std::string>& argv) {
  char out_name[] = "/tmp/pase-test-out-XXXXXX";
  char err_name[] = "/tmp/pase-test-err-XXXXXX";
  const int out_fd = mkstemp(out_name), err_fd = mkstemp(err_name);
  close(out_fd);
  close(err_fd);
  CommandResult r;
  r.exit_code = wait_command(start_command(argv, out_name, err_name));
  r.out = read_file(out_name);
  r.err = read_file(err_name);
  unlink(out_name);
  unlink(err_name);
  return r;
}

std::string pase_binary() { return PASE_BINARY; }
std::string mpiexec() { return PASE_MPIEXEC; }
std::string source_dir() { return PASE_SOURCE_DIR; }

std::vector<std::string> pase_command(int ranks, const std::vector<std::string>& args, bool force_mpiexec) {
  std::vector<std::string> argv;
  if (ranks > 1 || force_mpiexec) argv = {mpiexec(), "-n", std::to_string(ranks), "--oversubscribe"};
  argv.push_back(pase_binary());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace pase::test
