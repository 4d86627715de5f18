// Formats every system call of the fuzzed guest the way --strace does (emulator/trace/
// syscall_format.*): arguments at entry, buffers the kernel filled and the result at exit.
// The formatter reads paths, buffers, iovecs and structures from guest memory through
// UserMemory::peek, so wild pointers reach it exactly as they reach the kernel. The text is
// discarded, unless `print` asks for it on stderr (replaying a crash: VMLAB_FUZZ_STRACE=1); what
// counts is that decoding never crashes, reads out of bounds or changes a run.
#pragma once

#include <cstdint>

#include "emulator/strace_format/syscall_format.h"
#include "os/kernel.h"

namespace vmlab::fuzz {

class StraceDecoder {
 public:
  StraceDecoder(os::Kernel& kernel, bool print);

  uint64_t characters() const { return characters_; }

 private:
  void on_syscall(const os::SyscallEvent& e);

  os::Kernel& kernel_;
  const os::Process* calling_ = nullptr;
  emulator::SyscallFormatter formatter_;
  bool print_;
  uint64_t characters_ = 0;
  os::Subscription subscription_;  // last: gone before the members its handler uses
};

}  // namespace vmlab::fuzz
