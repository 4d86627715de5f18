// --strace: every system call of every process, one line each on stderr, as strace -f prints
// them ("[pid 2] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3"), with the signals that reach
// processes ("--- SIGCHLD {si_signo=SIGCHLD, ...} ---") and how processes end
// ("+++ exited with 0 +++").
//
// A call's line is held back from its entry until its exit. When another process prints
// first, the held part goes out as "wait4(-1,  <unfinished ...>" and the call's exit later as
// "<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 3", as strace does.
#pragma once

#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/strace_format/syscall_format.h"
#include "os/kernel.h"

namespace vmlab::emulator {

class Strace {
 public:
  // Subscribes to the kernel's system-call, process and signal events; writes to `out`.
  Strace(os::Kernel& kernel, std::FILE* out);

 private:
  struct OpenCall {
    int number;
    std::string name;
    std::string entry_text;  // the line up to what is printed at exit, pid prefix included
    uint64_t args[6];
  };

  void on_syscall(const os::SyscallEvent& event);
  void on_process(const os::ProcessEvent& event);
  void on_signal(const os::SignalEvent& event);
  void enter(const os::SyscallEvent& event, const std::string& name);
  void leave(const os::SyscallEvent& event, const std::string& name);
  // A call still open when a signal takes effect (it runs again after the handler, under
  // SA_RESTART, or the signal kills the process), or when its process dies (SIGKILL).
  void interrupted(int pid);
  // Ends `pid`'s open call with `rest` (what follows the arguments printed at entry) and the
  // result: on its held line, or as "<... NAME resumed>" after another process's lines.
  void finish(int pid, const std::string& name, const std::string& rest, const std::string& result);
  void died_in_call(int pid);

  // Writes one line of `pid`; a held line of another process goes out unfinished first.
  void emit(int pid, const std::string& line);
  void cut_held_line();
  void print_ignored_signals(int pid);
  std::string prefix(int pid) const;
  static std::string with_result(const std::string& call, const std::string& result);

  os::Kernel& kernel_;
  std::FILE* out_;
  SyscallFormatter formatter_;
  std::map<int, OpenCall> open_calls_;  // pid -> the call it entered and has not left
  std::optional<int> held_pid_;         // whose open call's entry text is not written yet
  // Signals discarded as ignored (strace sees them when the process next runs).
  std::map<int, std::vector<std::string>> ignored_signals_;
  std::set<int> live_;  // strace prefixes lines with the pid while several processes live
  const os::Process* calling_ = nullptr;  // whose memory the formatter reads
  // Last, so the kernel stops calling this Strace before any of its other members go.
  std::vector<os::Subscription> subscriptions_;
};

}  // namespace vmlab::emulator
