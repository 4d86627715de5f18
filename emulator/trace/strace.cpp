#include "emulator/trace/strace.h"

#include <sys/syscall.h>

#include "emulator/trace/syscall_signatures.h"
#include "os/user_memory.h"

namespace vmlab::emulator {

namespace {

// Arguments the kernel fills in are only known at exit.
bool has_output_arguments(int number) {
  const Signature* sig = signature_of(number);
  if (sig == nullptr) return false;
  for (Arg a : sig->args)
    if (a == Arg::kReadBuffer || a == Arg::kStatOut || a == Arg::kPipeOut || a == Arg::kUnameOut)
      return true;
  return false;
}

bool never_returns(int number) {
  return number == SYS_exit || number == SYS_exit_group;
}

}  // namespace

Strace::Strace(os::Kernel& kernel, std::FILE* out)
    : kernel_(kernel), out_(out), formatter_([this](uint64_t va, void* buf, size_t size) {
        // peek() changes nothing; UserMemory just wants a mutable process for its other uses.
        auto& p = const_cast<os::Process&>(*calling_);
        return os::UserMemory(kernel_, p).peek(va, {static_cast<uint8_t*>(buf), size});
      }) {
  kernel_.events().syscall.push_back([this](const os::SyscallEvent& e) { on_syscall(e); });
  kernel_.events().process.push_back([this](const os::ProcessEvent& e) { on_process(e); });
}

void Strace::emit(int pid, const std::string& text) {
  if (several_processes_) std::fprintf(out_, "[pid %5d] ", pid);
  std::fputs(text.c_str(), out_);
  std::fputc('\n', out_);
}

// strace aligns results at column 40.
std::string Strace::line(const std::string& call, const std::string& result) {
  constexpr size_t kResultColumn = 39;
  std::string out = call;
  if (out.size() < kResultColumn) out.append(kResultColumn - out.size(), ' ');
  return out + " = " + result;
}

void Strace::on_syscall(const os::SyscallEvent& e) {
  calling_ = &e.process;
  const char* name = os::syscall_name(e.number);
  const std::string call = *name ? name : "syscall_" + std::to_string(e.number);
  if (e.entry) {
    const std::string args = formatter_.arguments(e.number, e.args, std::nullopt);
    if (never_returns(e.number)) {
      emit(e.process.pid(), line(call + "(" + args + ")", "?"));
      return;
    }
    entered_[e.process.pid()] = args;
    return;
  }
  if (never_returns(e.number)) return;  // printed at entry
  auto it = entered_.find(e.process.pid());
  std::string args = it != entered_.end() ? it->second : "";
  if (it != entered_.end()) entered_.erase(it);
  if (has_output_arguments(e.number)) args = formatter_.arguments(e.number, e.args, e.result);
  emit(e.process.pid(),
       line(call + "(" + args + ")", formatter_.result(e.number, e.args, e.result)));
}

void Strace::on_process(const os::ProcessEvent& e) {
  switch (e.kind) {
    case os::ProcessEvent::Kind::kCreated:
      if (e.process.pid() != 1) several_processes_ = true;
      return;
    case os::ProcessEvent::Kind::kExec:
      if (e.argv != nullptr && e.process.pid() == 1 && entered_.count(1) == 0) {
        // The first program is not started by a system call; strace shows its execve anyway.
        std::string argv;
        for (size_t i = 0; i < e.argv->size(); ++i)
          argv += (i ? ", \"" : "\"") + (*e.argv)[i] + "\"";
        const std::string& path = e.path != nullptr ? *e.path : e.process.exe;
        emit(1, line("execve(\"" + path + "\", [" + argv + "], ...)", "0"));
      }
      return;
    case os::ProcessEvent::Kind::kThreadExit:  // strace -f reports each thread's end too
    case os::ProcessEvent::Kind::kExit: {
      const int status = e.wait_status;
      const int signo = status & 0x7f;
      if (signo == 0)
        emit(e.process.pid(), "+++ exited with " + std::to_string((status >> 8) & 0xff) + " +++");
      else
        emit(e.process.pid(), "+++ killed by " + os::signal_name(signo) +
                                  ((status & 0x80) ? " (core dumped)" : "") + " +++");
      return;
    }
    case os::ProcessEvent::Kind::kSwitchIn:
      return;
  }
}

}  // namespace vmlab::emulator
