// The structures strace decodes in the arguments of signal, resource-limit, vector I/O and
// wait calls: "{sa_handler=0x401234, sa_mask=[INT], sa_flags=SA_RESTORER, sa_restorer=0x...}",
// "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}", "[{iov_base="hi", iov_len=2}]",
// "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]". Each prints the pointer when the memory cannot be
// read (strace does the same).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "emulator/strace_format/syscall_format.h"

namespace vmlab::emulator {

// `length` bytes at `address` as a quoted string (cut like strace's -s 32).
std::string quoted_memory(const PeekMemory& peek, uint64_t address, uint64_t length);
// The kernel's struct sigaction of rt_sigaction.
std::string sigaction_at(const PeekMemory& peek, uint64_t address);
// A struct rlimit (struct rlimit64 of prlimit64 has the same layout on x86-64).
std::string rlimit_at(const PeekMemory& peek, uint64_t address);
// `count` struct iovec with their data: all of it (a write), or only the first `data_size`
// bytes across the entries (what a read filled).
std::string iovec_array(const PeekMemory& peek, uint64_t address, uint64_t count,
                        std::optional<uint64_t> data_size);
// The int a wait call stored: "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]".
std::string wait_status_at(const PeekMemory& peek, uint64_t address);
std::string wait_status(int status);  // without the brackets
// clone's arguments as strace names them (x86-64 order: flags, stack, parent_tid, child_tid,
// tls): "child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD" and, after the call, what the flags
// made it use: ", parent_tid=[2], tls=0x..., child_tidptr=0x..." (or "").
std::string clone_stack_and_flags(uint64_t flags, uint64_t stack);
std::string clone_ids(const PeekMemory& peek, uint64_t flags, uint64_t parent_tid,
                      uint64_t child_tid, uint64_t tls);
// rt_sigreturn's argument as strace shows it, "{mask=[]}": the mask saved in the signal frame
// the handler returns through (`stack_pointer` is RSP at the system call).
std::string sigreturn_frame(const PeekMemory& peek, uint64_t stack_pointer);

}  // namespace vmlab::emulator
