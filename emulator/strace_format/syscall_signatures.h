// How each system call's arguments and result are printed (strace conventions).
#pragma once

#include <cstdint>
#include <vector>

namespace vmlab::emulator {

enum class Arg : uint8_t {
  kInt,          // a C int (32 bits)
  kLong,         // a 64-bit offset or length
  kUnsigned,     // unsigned decimal
  kHex,          // 0x...
  kPointer,      // NULL or 0x...
  kFd,           // a descriptor
  kAtFd,         // AT_FDCWD or a descriptor
  kPath,         // NUL-terminated string
  kWriteBuffer,  // a buffer the kernel reads; its length is the next argument
  kReadBuffer,   // a buffer the kernel fills; printed at exit with the result's length
  kOpenFlags,
  kFdFlags,  // O_CLOEXEC|O_NONBLOCK of pipe2/dup3, or 0
  kMode,     // octal
  kProt,
  kMmapFlags,
  kAtFlags,
  kAccessMode,
  kSignal,
  kSigHow,
  kWhence,
  kFcntlCommand,
  kIoctlRequest,
  kArchPrctlCode,
  kPrctlOption,
  kRlimitResource,
  kClockId,
  kCloneFlags,
  kWaitOptions,
  kMremapFlags,
  kMadvice,
  kGetrandomFlags,
  kFutexOp,
  kStringArray,  // argv
  kEnvArray,     // envp: printed as a count, like strace
  kStatOut,      // struct stat filled by the kernel
  kPipeOut,      // int[2] filled by the kernel
  kTimespecIn,
  kTimevalIn,
  kUnameOut,
  kPollFds,     // struct pollfd array; its length is the next argument
  kFdSet,       // fd_set of the first argument's number of descriptors
  kSigset,      // sigset_t; its size is the call's last argument
  kSigsetPack,  // pselect6's {sigset_t *, size}
  kSigsetOut,   // a sigset_t the kernel fills (the old mask); size as kSigset
  kSigaction,   // the kernel's struct sigaction
  kSigactionOut,
  kRlimit,  // struct rlimit (prlimit64's rlimit64 has the same layout)
  kRlimitOut,
  kIovec,     // struct iovec array the kernel reads, with the data; its length is the next
  kIovecOut,  // an iovec array the kernel fills: the data up to the result's length
  kWaitStatusOut,
  kTimespecOut,
  kSleepRemainder,  // nanosleep's time left: a timespec when interrupted, else the pointer
  // clone's arguments, named and in strace's order: "child_stack=NULL, flags=...|SIGCHLD" from
  // the first two registers (flags, stack) at entry, then at exit from the next three
  // (parent_tid, child_tid, tls) ", parent_tid=[2], child_tidptr=0x..." for the flags that use
  // them, with its own leading separator.
  kCloneStackAndFlags,
  kCloneIds,
  // Sockets and epoll (syscall_socket_format.h).
  kSocketFamily,    // AF_INET
  kSocketType,      // SOCK_STREAM|SOCK_CLOEXEC
  kSocketProtocol,  // IPPROTO_TCP for an Internet family (the first argument), else a number
  kSocketFlags,     // accept4's SOCK_NONBLOCK|SOCK_CLOEXEC
  kMessageFlags,    // MSG_NOSIGNAL|MSG_DONTWAIT
  kShutdownHow,     // SHUT_WR
  kSocketLevel,     // SOL_SOCKET
  kSocketOption,    // SO_REUSEADDR: the name within the previous argument's level
  kSockaddrIn,      // a sockaddr the kernel reads; its length is the next argument
  kSockaddrOut,     // a sockaddr the kernel fills; the next argument points to its length
  kIntIn,           // an int option value; its length is the next argument
  kIntOut,          // an int option value the kernel fills: "[1]"
  kSocklen,         // a socklen_t the caller sets and the kernel rewrites: "[16]"
  kEpollFlags,      // EPOLL_CLOEXEC
  kEpollOp,         // EPOLL_CTL_ADD
  kEpollEventIn,    // struct epoll_event
  kEpollEventsOut,  // the struct epoll_event array epoll_wait fills, as many as it returns
};

// An argument whose text starts with its own separator (or is empty).
inline bool carries_separator(Arg arg) {
  return arg == Arg::kCloneIds;
}

// Arguments the kernel fills in: strace prints them (and every argument after them) at exit.
bool is_output(Arg arg);

enum class Returns : uint8_t { kInt, kPointer, kNever, kHex };

// What strace prints after a result.
enum class ResultDetail : uint8_t {
  kNone,
  kPollFds,  // poll, ppoll: "(Timeout)" or the ready entries (and the time left)
  kFdSets,   // select, pselect6: "(Timeout)" or the ready sets (and the time left)
};

struct Signature {
  std::vector<Arg> args;
  Returns returns = Returns::kInt;
  ResultDetail detail = ResultDetail::kNone;
};

// nullptr for calls without a signature (their arguments are printed in hex).
const Signature* signature_of(int number);

}  // namespace vmlab::emulator
