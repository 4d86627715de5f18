// --strace: every system call of every process, one line each on stderr, as strace -f prints
// them ("[pid 2] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3").
#pragma once

#include <cstdio>
#include <map>
#include <string>

#include "emulator/trace/syscall_format.h"
#include "os/kernel.h"

namespace vmlab::emulator {

class Strace {
 public:
  // Subscribes to the kernel's system-call and process events; writes to `out`.
  Strace(os::Kernel& kernel, std::FILE* out);

 private:
  void on_syscall(const os::SyscallEvent& event);
  void on_process(const os::ProcessEvent& event);
  void emit(int pid, const std::string& text);
  static std::string line(const std::string& call, const std::string& result);

  os::Kernel& kernel_;
  std::FILE* out_;
  SyscallFormatter formatter_;
  std::map<int, std::string> entered_;  // pid -> arguments formatted at entry
  bool several_processes_ = false;
  const os::Process* calling_ = nullptr;  // whose memory the formatter reads
};

}  // namespace vmlab::emulator
