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
  bool retry = false;       // the call blocked before and is tried again
  bool block = false;       // the call cannot complete yet: the process sleeps and retries it
  bool no_return = false;   // registers were replaced (execve, rt_sigreturn, exit): no RAX
  uint64_t wake_at_ns = 0;  // with block: a timed sleep or a timeout ends at this virtual time

  UserMemory user();  // the calling process's memory (syscall_table.cpp)
  uint64_t arg(int i) const { return args[i]; }
  int int_arg(int i) const { return static_cast<int>(args[i]); }
};

using SyscallHandler = int64_t (*)(SyscallContext&);

// What a signal handler does to a call that waits (Linux's -ERESTART* codes).
enum class OnSignal : uint8_t {
  kRestartIfSaRestart,  // -ERESTARTSYS: restarted after a SA_RESTART handler, else EINTR
  kInterrupt,           // -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK: EINTR after any handler
};

struct SyscallEntry {
  SyscallHandler handler = nullptr;
  OnSignal on_signal = OnSignal::kRestartIfSaRestart;
  // Called (with retry set) when a handler interrupts the waiting call; returns its result
  // instead of -EINTR, or writes what the call reports then (select's remaining time).
  SyscallHandler interrupted = nullptr;
};

class SyscallTable {
 public:
  static constexpr int kCount = 512;
  SyscallTable();
  const SyscallEntry* find(int number) const {
    if (number < 0 || number >= kCount || entries_[number].handler == nullptr) return nullptr;
    return &entries_[number];
  }
  void add(int number, SyscallHandler handler, OnSignal on_signal = OnSignal::kRestartIfSaRestart,
           SyscallHandler interrupted = nullptr) {
    entries_[number] = SyscallEntry{handler, on_signal, interrupted};
  }

 private:
  std::array<SyscallEntry, kCount> entries_{};
};

// "read", "openat", ... or "" for an unassigned number.
const char* syscall_name(int number);

void register_memory_syscalls(SyscallTable& table);
void register_file_syscalls(SyscallTable& table);
void register_process_syscalls(SyscallTable& table);
void register_futex_syscalls(SyscallTable& table);
void register_clone_syscalls(SyscallTable& table);
void register_signal_syscalls(SyscallTable& table);
void register_info_syscalls(SyscallTable& table);
void register_credential_syscalls(SyscallTable& table);
void register_file_system_info_syscalls(SyscallTable& table);
void register_socket_syscalls(SyscallTable& table);
void register_timer_syscalls(SyscallTable& table);
void register_poll_syscalls(SyscallTable& table);
void register_select_syscalls(SyscallTable& table);
void register_memory_policy_syscalls(SyscallTable& table);
void register_epoll_syscalls(SyscallTable& table);

}  // namespace vmlab::os
