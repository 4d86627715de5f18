// System calls: one table indexed by Linux x86-64 numbers, one dispatcher (Kernel::syscall).
// Handlers live in one file per group (memory, files, processes, signals, info, time).
#pragma once

#include <array>
#include <cstdint>

#include "os/user_memory.h"

namespace vmlab::os {

class Kernel;
class Process;

// What a handler sees, and how it says that the call must wait or does not return.
struct SyscallContext {
  Kernel& kernel;
  Process& process;
  int number;
  uint64_t args[6];
  bool block = false;       // the call cannot complete yet: the process sleeps and retries it
  bool no_return = false;   // registers were replaced (execve, rt_sigreturn, exit): no RAX
  uint64_t wake_at_ns = 0;  // with block: a timed sleep ends at this virtual time

  UserMemory user() { return UserMemory(kernel, process); }
  uint64_t arg(int i) const { return args[i]; }
  int int_arg(int i) const { return static_cast<int>(args[i]); }
};

using SyscallHandler = int64_t (*)(SyscallContext&);

struct SyscallEntry {
  SyscallHandler handler = nullptr;
};

class SyscallTable {
 public:
  static constexpr int kCount = 512;
  SyscallTable();
  const SyscallEntry* find(int number) const {
    if (number < 0 || number >= kCount || entries_[number].handler == nullptr) return nullptr;
    return &entries_[number];
  }
  void add(int number, SyscallHandler handler) { entries_[number].handler = handler; }

 private:
  std::array<SyscallEntry, kCount> entries_{};
};

// "read", "openat", ... or "" for an unassigned number.
const char* syscall_name(int number);

void register_memory_syscalls(SyscallTable& table);
void register_file_syscalls(SyscallTable& table);
void register_process_syscalls(SyscallTable& table);
void register_signal_syscalls(SyscallTable& table);
void register_info_syscalls(SyscallTable& table);
void register_credential_syscalls(SyscallTable& table);
void register_file_system_info_syscalls(SyscallTable& table);
void register_socket_syscalls(SyscallTable& table);

}  // namespace vmlab::os
