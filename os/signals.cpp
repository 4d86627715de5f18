#include "os/signals.h"

namespace vmlab::os {

namespace {
struct SignalInfo {
  const char* name;
  const char* description;  // strsignal() text
  DefaultAction action;
};
constexpr SignalInfo kSignals[] = {
    {"SIG0", "Unknown signal 0", DefaultAction::kIgnore},
    {"SIGHUP", "Hangup", DefaultAction::kTerminate},
    {"SIGINT", "Interrupt", DefaultAction::kTerminate},
    {"SIGQUIT", "Quit", DefaultAction::kCoreDump},
    {"SIGILL", "Illegal instruction", DefaultAction::kCoreDump},
    {"SIGTRAP", "Trace/breakpoint trap", DefaultAction::kCoreDump},
    {"SIGABRT", "Aborted", DefaultAction::kCoreDump},
    {"SIGBUS", "Bus error", DefaultAction::kCoreDump},
    {"SIGFPE", "Floating point exception", DefaultAction::kCoreDump},
    {"SIGKILL", "Killed", DefaultAction::kTerminate},
    {"SIGUSR1", "User defined signal 1", DefaultAction::kTerminate},
    {"SIGSEGV", "Segmentation fault", DefaultAction::kCoreDump},
    {"SIGUSR2", "User defined signal 2", DefaultAction::kTerminate},
    {"SIGPIPE", "Broken pipe", DefaultAction::kTerminate},
    {"SIGALRM", "Alarm clock", DefaultAction::kTerminate},
    {"SIGTERM", "Terminated", DefaultAction::kTerminate},
    {"SIGSTKFLT", "Stack fault", DefaultAction::kTerminate},
    {"SIGCHLD", "Child exited", DefaultAction::kIgnore},
    {"SIGCONT", "Continued", DefaultAction::kContinue},
    {"SIGSTOP", "Stopped (signal)", DefaultAction::kStop},
    {"SIGTSTP", "Stopped", DefaultAction::kStop},
    {"SIGTTIN", "Stopped (tty input)", DefaultAction::kStop},
    {"SIGTTOU", "Stopped (tty output)", DefaultAction::kStop},
    {"SIGURG", "Urgent I/O condition", DefaultAction::kIgnore},
    {"SIGXCPU", "CPU time limit exceeded", DefaultAction::kCoreDump},
    {"SIGXFSZ", "File size limit exceeded", DefaultAction::kCoreDump},
    {"SIGVTALRM", "Virtual timer expired", DefaultAction::kTerminate},
    {"SIGPROF", "Profiling timer expired", DefaultAction::kTerminate},
    {"SIGWINCH", "Window changed", DefaultAction::kIgnore},
    {"SIGIO", "I/O possible", DefaultAction::kTerminate},
    {"SIGPWR", "Power failure", DefaultAction::kTerminate},
    {"SIGSYS", "Bad system call", DefaultAction::kCoreDump},
};
constexpr int kNamed = sizeof kSignals / sizeof kSignals[0];
}  // namespace

DefaultAction default_action(int signo) {
  if (signo > 0 && signo < kNamed) return kSignals[signo].action;
  return DefaultAction::kTerminate;  // real-time signals
}

std::string signal_name(int signo) {
  if (signo > 0 && signo < kNamed) return kSignals[signo].name;
  return "SIGRT" + std::to_string(signo - 32);
}

std::string signal_description(int signo) {
  if (signo > 0 && signo < kNamed) return kSignals[signo].description;
  return "Real-time signal " + std::to_string(signo - 32);
}

void PendingSignals::add(const SigInfo& info) {
  if ((mask & sig_bit(info.signo)) == 0) queue.push_back(info);  // standard: no queueing
  mask |= sig_bit(info.signo);
}

SigInfo PendingSignals::take(int signo) {
  mask &= ~sig_bit(signo);
  SigInfo info;
  info.signo = signo;
  for (auto it = queue.begin(); it != queue.end(); ++it) {
    if (it->signo == signo) {
      info = *it;
      queue.erase(it);
      break;
    }
  }
  return info;
}

void PendingSignals::discard(int signo) {
  mask &= ~sig_bit(signo);
  std::erase_if(queue, [signo](const SigInfo& i) { return i.signo == signo; });
}

}  // namespace vmlab::os
