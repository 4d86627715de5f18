// The status line of long runs: on a terminal's stderr only, never in the guest's output.
#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

// Three seconds of wall-clock time whatever the host's speed (--timeout), longer than the
// status line's delay.
const std::vector<std::string> kLongRun = {
    "run", "--model", "fast", "--timeout", "3", guest("compute-musl"), "1000000000000"};

struct PtyRun {
  int status = -1;
  std::string terminal;  // what the terminal (stderr) showed
};

// Runs vmlab with stdin and stderr on a pseudo-terminal and stdout into `stdout_file`.
PtyRun run_on_terminal(std::vector<std::string> args, const std::string& stdout_file) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    const int out = ::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    std::string binary = vmlab_binary();
    std::vector<char*> argv = {binary.data()};
    for (std::string& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  PtyRun run;
  char buffer[4096];
  for (ssize_t n; (n = ::read(master, buffer, sizeof buffer)) > 0;)
    run.terminal.append(buffer, static_cast<size_t>(n));
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ::close(master);
  return run;
}

TEST(Progress, ALongRunOnATerminalShowsOneLineRedrawnInPlace) {
  const std::string out = temp_dir() + "/guest.out";
  const PtyRun run = run_on_terminal(kLongRun, out);
  EXPECT_EQ(run.status, 124);  // --timeout
  // "\r\e[K" erases the line before each drawing and before vmlab's own last message.
  const size_t first = run.terminal.find("\r\033[Kvmlab: ");
  ASSERT_NE(first, std::string::npos) << run.terminal;
  const std::string line =
      run.terminal.substr(first + 4, run.terminal.find('\r', first + 1) - first - 4);
  EXPECT_NE(line.find(" instructions, "), std::string::npos) << line;
  EXPECT_NE(line.find(" MIPS, "), std::string::npos) << line;
  EXPECT_NE(line.find(" faults ("), std::string::npos) << line;
  EXPECT_NE(line.find(" major), RSS "), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(run.terminal.find("\r\033[Kvmlab: stopped by --timeout after "), std::string::npos)
      << run.terminal;
  EXPECT_EQ(read_file(out), "") << "the guest's output holds nothing of it";
}

TEST(Progress, TheLineStepsAsideWhenTheGuestWritesToTheTerminal) {
  // The guest's stdout is the terminal too: each of its writes comes after the line is erased.
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    const std::string binary = vmlab_binary();
    ::execl(binary.c_str(), binary.c_str(), "run", "--model", "fast", "--timeout", "3",
            "/bin/busybox", "sh", "-c", "while :; do echo tick; done", nullptr);
    ::_exit(127);
  }
  std::string terminal;
  char buffer[65536];
  for (ssize_t n; (n = ::read(master, buffer, sizeof buffer)) > 0;)
    terminal.append(buffer, static_cast<size_t>(n));
  ::waitpid(pid, nullptr, 0);
  ::close(master);
  size_t drawn = 0;
  for (size_t at = terminal.find(" MIPS, "); at != std::string::npos;
       at = terminal.find(" MIPS, ", at + 1)) {
    ++drawn;
    const size_t end = terminal.find(" s", at) + 2;  // the line ends with its seconds
    EXPECT_EQ(terminal.compare(end, 4, "\r\033[K"), 0) << terminal.substr(at, 80);
  }
  EXPECT_GT(drawn, 0u);
}

TEST(Progress, NeverWhenStderrIsNotATerminalOrWhenTurnedOff) {
  std::vector<std::string> cmd = {vmlab_binary()};
  cmd.insert(cmd.end(), kLongRun.begin(), kLongRun.end());
  const CommandResult piped = run_command(cmd);
  EXPECT_EQ(piped.status, 124);
  EXPECT_EQ(piped.err.find("MIPS"), std::string::npos) << piped.err;
  std::vector<std::string> off = kLongRun;
  off.insert(off.begin() + 1, {"--progress", "off"});
  const PtyRun quiet = run_on_terminal(off, temp_dir() + "/quiet.out");
  EXPECT_EQ(quiet.status, 124);
  EXPECT_EQ(quiet.terminal.find("MIPS"), std::string::npos) << quiet.terminal;
}

}  // namespace
}  // namespace vmlab::testing
