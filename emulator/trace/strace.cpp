#include "emulator/trace/strace.h"

#include <sys/syscall.h>

#include <cerrno>

#include "emulator/strace_format/siginfo_format.h"
#include "emulator/strace_format/strace_text.h"
#include "emulator/strace_format/syscall_flags.h"
#include "emulator/strace_format/syscall_restart.h"
#include "emulator/strace_format/syscall_struct_format.h"
#include "os/user_memory.h"
#include "os/wait_status.h"

namespace vmlab::emulator {

namespace {

bool never_returns(int number) {
  return number == SYS_exit || number == SYS_exit_group;
}

std::string signal_line(const os::SigInfo& info) {
  return "--- " + signal_name_or_number(info.signo) + " " + siginfo_text(info) + " ---";
}

}  // namespace

Strace::Strace(os::Kernel& kernel, std::FILE* out)
    : kernel_(kernel), out_(out), formatter_([this](uint64_t va, void* buf, size_t size) {
        // peek() changes nothing; UserMemory just wants a mutable process for its other uses.
        auto& p = const_cast<os::Process&>(*calling_);
        return kernel_.user_memory(p).peek(va, {static_cast<uint8_t*>(buf), size});
      }) {
  os::KernelEvents& events = kernel_.events();
  subscriptions_.push_back(
      events.syscall.subscribe([this](const os::SyscallEvent& e) { on_syscall(e); }));
  subscriptions_.push_back(
      events.process.subscribe([this](const os::ProcessEvent& e) { on_process(e); }));
  subscriptions_.push_back(
      events.signal.subscribe([this](const os::SignalEvent& e) { on_signal(e); }));
}

std::string Strace::prefix(int pid) const {
  if (live_.size() <= 1) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "[pid %5d] ", pid);
  return buf;
}

// strace aligns results at column 40 of the line, pid prefix included.
std::string Strace::with_result(const std::string& call, const std::string& result) {
  constexpr size_t kResultColumn = 39;
  std::string out = call;
  if (out.size() < kResultColumn) out.append(kResultColumn - out.size(), ' ');
  return out + " = " + result;
}

void Strace::cut_held_line() {
  if (!held_pid_) return;
  std::fputs((open_calls_[*held_pid_].entry_text + " <unfinished ...>\n").c_str(), out_);
  held_pid_.reset();
}

void Strace::emit(int pid, const std::string& line) {
  if (held_pid_ && *held_pid_ != pid) cut_held_line();
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
}

void Strace::print_ignored_signals(int pid) {
  auto it = ignored_signals_.find(pid);
  if (it == ignored_signals_.end()) return;
  const std::vector<std::string> lines = std::move(it->second);
  ignored_signals_.erase(it);
  for (const std::string& line : lines)
    emit(pid, prefix(pid) + line);
}

void Strace::on_syscall(const os::SyscallEvent& e) {
  calling_ = &e.process;
  const char* name = os::syscall_name(e.number);
  const std::string call = *name ? name : "syscall_" + std::to_string(e.number);
  if (e.entry)
    enter(e, call);
  else
    leave(e, call);
}

void Strace::enter(const os::SyscallEvent& e, const std::string& name) {
  const int pid = e.process.pid();
  print_ignored_signals(pid);
  std::string args = formatter_.entry_arguments(e.number, e.args);
  if (e.number == SYS_rt_sigreturn) {
    auto& p = const_cast<os::Process&>(e.process);
    args = sigreturn_frame(formatter_.peek(), p.cpu().reg(os::Reg::kRsp));
  }
  const std::string text = prefix(pid) + name + "(" + args;
  if (never_returns(e.number)) {
    emit(pid, with_result(text + ")", "?"));
    return;
  }
  cut_held_line();
  OpenCall call{e.number, name, text, {}};
  std::copy(std::begin(e.args), std::end(e.args), std::begin(call.args));
  open_calls_[pid] = call;
  held_pid_ = pid;
}

void Strace::leave(const os::SyscallEvent& e, const std::string& name) {
  if (never_returns(e.number)) return;  // printed at entry
  const int pid = e.process.pid();
  int64_t value = e.result;
  if (e.number == SYS_rt_sigreturn) {
    // The call "returns" the interrupted code's RAX, which it has just restored.
    value = static_cast<int64_t>(const_cast<os::Process&>(e.process).cpu().reg(os::Reg::kRax));
  }
  std::string result = formatter_.result(e.number, e.args, value);
  if (value == -EINTR && e.number != SYS_rt_sigreturn)
    result = interrupted_result(e.number, e.args).value_or(result);  // a handler runs next
  finish(pid, name, formatter_.exit_arguments(e.number, e.args, value) + ")", result);
  print_ignored_signals(pid);
}

void Strace::finish(int pid, const std::string& name, const std::string& rest,
                    const std::string& result) {
  auto it = open_calls_.find(pid);
  if (held_pid_ == pid && it != open_calls_.end()) {
    held_pid_.reset();
    emit(pid, with_result(it->second.entry_text + rest, result));
  } else {
    emit(pid, with_result(prefix(pid) + "<... " + name + " resumed>" + rest, result));
  }
  if (it != open_calls_.end()) open_calls_.erase(it);
}

void Strace::interrupted(int pid) {
  auto it = open_calls_.find(pid);
  if (it == open_calls_.end()) return;
  // Linux ends the call with its restart code. vmlab's kernel wrote nothing for it (not even
  // a sleep's remainder): what the call fills stays a pointer.
  constexpr int64_t kErestartsys = -512;
  const OpenCall& call = it->second;
  const std::string eintr = formatter_.result(call.number, call.args, -EINTR);
  finish(pid, call.name, formatter_.exit_arguments(call.number, call.args, kErestartsys) + ")",
         interrupted_result(call.number, call.args).value_or(eintr));
}

void Strace::died_in_call(int pid) {
  auto it = open_calls_.find(pid);
  if (it == open_calls_.end()) return;
  // As strace: "read(0,  <unfinished ...>) = ?", or "<... read resumed> <unfinished ...>) = ?"
  // when the line was cut already.
  finish(pid, it->second.name, " <unfinished ...>)", "?");
}

void Strace::on_signal(const os::SignalEvent& e) {
  const int pid = e.process.pid();
  if (e.info.signo == os::sig::kKill) return;  // strace never sees SIGKILL arrive
  if (e.kind == os::SignalEvent::Kind::kIgnored) {
    ignored_signals_[pid].push_back(signal_line(e.info));
    return;
  }
  calling_ = &e.process;
  print_ignored_signals(pid);
  // A call still open here is cut by the signal: run again after the handler (SA_RESTART), or
  // never finished because the signal kills the process. (A call the handler interrupts has
  // ended already, with the kernel's EINTR.)
  interrupted(pid);
  emit(pid, prefix(pid) + signal_line(e.info));
}

void Strace::on_process(const os::ProcessEvent& e) {
  const int pid = e.process.pid();
  switch (e.kind) {
    case os::ProcessEvent::Kind::kCreated:
      live_.insert(pid);
      return;
    case os::ProcessEvent::Kind::kExec:
      if (e.argv != nullptr && pid == 1 && open_calls_.count(1) == 0) {
        // The first program is not started by a system call; strace shows its execve anyway.
        std::string argv;
        for (size_t i = 0; i < e.argv->size(); ++i)
          argv += (i ? ", " : "") + quote((*e.argv)[i], kStraceStringLimit);
        const std::string& path = e.path != nullptr ? *e.path : e.process.exe;
        emit(1,
             with_result(
                 prefix(1) + "execve(" + quote(path, path.size()) + ", [" + argv + "], ...)", "0"));
      }
      return;
    case os::ProcessEvent::Kind::kThreadExit:  // strace -f reports each thread's end too
    case os::ProcessEvent::Kind::kExit: {
      print_ignored_signals(pid);
      died_in_call(pid);
      const int status = e.wait_status;
      const int signo = os::terminating_signal(status);
      if (signo == 0)
        emit(pid,
             prefix(pid) + "+++ exited with " + std::to_string(os::exit_code(status)) + " +++");
      else
        emit(pid, prefix(pid) + "+++ killed by " + signal_name_or_number(signo) +
                      (os::core_dumped(status) ? " (core dumped)" : "") + " +++");
      live_.erase(pid);
      return;
    }
    case os::ProcessEvent::Kind::kSwitchIn:
      return;
  }
}

}  // namespace vmlab::emulator
