// How strace prints each system call's arguments: one table entry per call, in number order.
// The file is long because the table is: one line per call keeps the whole list in one place.
#include "emulator/strace_format/syscall_signatures.h"

#include <sys/syscall.h>

#include <unordered_map>

namespace vmlab::emulator {

namespace {

using A = Arg;

const std::unordered_map<int, Signature>& table() {
  static const std::unordered_map<int, Signature> signatures = {
      {SYS_read, {{A::kFd, A::kReadBuffer, A::kUnsigned}}},
      {SYS_write, {{A::kFd, A::kWriteBuffer, A::kUnsigned}}},
      {SYS_pread64, {{A::kFd, A::kReadBuffer, A::kUnsigned, A::kLong}}},
      {SYS_pwrite64, {{A::kFd, A::kWriteBuffer, A::kUnsigned, A::kLong}}},
      {SYS_readv, {{A::kFd, A::kIovecOut, A::kInt}}},
      {SYS_writev, {{A::kFd, A::kIovec, A::kInt}}},
      {SYS_open, {{A::kPath, A::kOpenFlags, A::kMode}}},
      {SYS_openat, {{A::kAtFd, A::kPath, A::kOpenFlags, A::kMode}}},
      {SYS_creat, {{A::kPath, A::kMode}}},
      {SYS_close, {{A::kFd}}},
      {SYS_lseek, {{A::kFd, A::kLong, A::kWhence}}},
      {SYS_stat, {{A::kPath, A::kStatOut}}},
      {SYS_lstat, {{A::kPath, A::kStatOut}}},
      {SYS_fstat, {{A::kFd, A::kStatOut}}},
      {SYS_newfstatat, {{A::kAtFd, A::kPath, A::kStatOut, A::kAtFlags}}},
      {SYS_statx, {{A::kAtFd, A::kPath, A::kAtFlags, A::kHex, A::kPointer}}},
      {SYS_getdents64, {{A::kFd, A::kPointer, A::kUnsigned}}},
      {SYS_readlink, {{A::kPath, A::kReadBuffer, A::kUnsigned}}},
      {SYS_readlinkat, {{A::kAtFd, A::kPath, A::kReadBuffer, A::kUnsigned}}},
      {SYS_sendfile, {{A::kFd, A::kFd, A::kPointer, A::kUnsigned}}},
      {SYS_access, {{A::kPath, A::kAccessMode}}},
      {SYS_faccessat, {{A::kAtFd, A::kPath, A::kAccessMode}}},
      {SYS_faccessat2, {{A::kAtFd, A::kPath, A::kAccessMode, A::kAtFlags}}},
      {SYS_getcwd, {{A::kReadBuffer, A::kUnsigned}}},
      {SYS_chdir, {{A::kPath}}},
      {SYS_fchdir, {{A::kFd}}},
      {SYS_mkdir, {{A::kPath, A::kMode}}},
      {SYS_mkdirat, {{A::kAtFd, A::kPath, A::kMode}}},
      {SYS_rmdir, {{A::kPath}}},
      {SYS_unlink, {{A::kPath}}},
      {SYS_unlinkat, {{A::kAtFd, A::kPath, A::kAtFlags}}},
      {SYS_rename, {{A::kPath, A::kPath}}},
      {SYS_renameat, {{A::kAtFd, A::kPath, A::kAtFd, A::kPath}}},
      {SYS_renameat2, {{A::kAtFd, A::kPath, A::kAtFd, A::kPath, A::kHex}}},
      {SYS_symlink, {{A::kPath, A::kPath}}},
      {SYS_symlinkat, {{A::kPath, A::kAtFd, A::kPath}}},
      {SYS_truncate, {{A::kPath, A::kLong}}},
      {SYS_ftruncate, {{A::kFd, A::kLong}}},
      {SYS_fsync, {{A::kFd}}},
      {SYS_fdatasync, {{A::kFd}}},
      {SYS_fadvise64, {{A::kFd, A::kLong, A::kLong, A::kInt}}},
      {SYS_dup, {{A::kFd}}},
      {SYS_dup2, {{A::kFd, A::kFd}}},
      {SYS_dup3, {{A::kFd, A::kFd, A::kFdFlags}}},
      {SYS_poll, {{A::kPollFds, A::kUnsigned, A::kInt}, Returns::kInt, ResultDetail::kPollFds}},
      {SYS_ppoll,
       {{A::kPollFds, A::kUnsigned, A::kTimespecIn, A::kSigset, A::kUnsigned},
        Returns::kInt,
        ResultDetail::kPollFds}},
      {SYS_select,
       {{A::kInt, A::kFdSet, A::kFdSet, A::kFdSet, A::kTimevalIn},
        Returns::kInt,
        ResultDetail::kFdSets}},
      {SYS_pselect6,
       {{A::kInt, A::kFdSet, A::kFdSet, A::kFdSet, A::kTimespecIn, A::kSigsetPack},
        Returns::kInt,
        ResultDetail::kFdSets}},
      {SYS_socket, {{A::kSocketFamily, A::kSocketType, A::kSocketProtocol}}},
      {SYS_socketpair, {{A::kSocketFamily, A::kSocketType, A::kSocketProtocol, A::kPipeOut}}},
      {SYS_bind, {{A::kFd, A::kSockaddrIn, A::kUnsigned}}},
      {SYS_connect, {{A::kFd, A::kSockaddrIn, A::kUnsigned}}},
      {SYS_listen, {{A::kFd, A::kInt}}},
      {SYS_accept, {{A::kFd, A::kSockaddrOut, A::kSocklen}}},
      {SYS_accept4, {{A::kFd, A::kSockaddrOut, A::kSocklen, A::kSocketFlags}}},
      {SYS_getsockname, {{A::kFd, A::kSockaddrOut, A::kSocklen}}},
      {SYS_getpeername, {{A::kFd, A::kSockaddrOut, A::kSocklen}}},
      {SYS_sendto,
       {{A::kFd, A::kWriteBuffer, A::kUnsigned, A::kMessageFlags, A::kSockaddrIn, A::kUnsigned}}},
      {SYS_recvfrom,
       {{A::kFd, A::kReadBuffer, A::kUnsigned, A::kMessageFlags, A::kSockaddrOut, A::kSocklen}}},
      {SYS_sendmsg, {{A::kFd, A::kPointer, A::kMessageFlags}}},
      {SYS_recvmsg, {{A::kFd, A::kPointer, A::kMessageFlags}}},
      {SYS_shutdown, {{A::kFd, A::kShutdownHow}}},
      {SYS_setsockopt, {{A::kFd, A::kSocketLevel, A::kSocketOption, A::kIntIn, A::kUnsigned}}},
      {SYS_getsockopt, {{A::kFd, A::kSocketLevel, A::kSocketOption, A::kIntOut, A::kSocklen}}},
      {SYS_epoll_create, {{A::kInt}}},
      {SYS_epoll_create1, {{A::kEpollFlags}}},
      {SYS_epoll_ctl, {{A::kFd, A::kEpollOp, A::kFd, A::kEpollEventIn}}},
      {SYS_epoll_wait, {{A::kFd, A::kEpollEventsOut, A::kInt, A::kInt}}},
      {SYS_epoll_pwait, {{A::kFd, A::kEpollEventsOut, A::kInt, A::kInt, A::kSigset, A::kUnsigned}}},
      {SYS_epoll_pwait2,
       {{A::kFd, A::kEpollEventsOut, A::kInt, A::kTimespecIn, A::kSigset, A::kUnsigned}}},
      {SYS_pipe, {{A::kPipeOut}}},
      {SYS_pipe2, {{A::kPipeOut, A::kFdFlags}}},
      {SYS_fcntl, {{A::kFd, A::kFcntlCommand, A::kHex}}},
      {SYS_ioctl, {{A::kFd, A::kIoctlRequest, A::kPointer}}},
      {SYS_umask, {{A::kMode}}},
      {SYS_brk, {{A::kPointer}, Returns::kPointer}},
      {SYS_mmap,
       {{A::kPointer, A::kUnsigned, A::kProt, A::kMmapFlags, A::kFd, A::kHex}, Returns::kPointer}},
      {SYS_munmap, {{A::kPointer, A::kUnsigned}}},
      {SYS_mprotect, {{A::kPointer, A::kUnsigned, A::kProt}}},
      {SYS_mremap,
       {{A::kPointer, A::kUnsigned, A::kUnsigned, A::kMremapFlags, A::kPointer},
        Returns::kPointer}},
      {SYS_madvise, {{A::kPointer, A::kUnsigned, A::kMadvice}}},
      {SYS_msync, {{A::kPointer, A::kUnsigned, A::kHex}}},
      {SYS_mincore, {{A::kPointer, A::kUnsigned, A::kPointer}}},
      {SYS_arch_prctl, {{A::kArchPrctlCode, A::kPointer}}},
      {SYS_set_tid_address, {{A::kPointer}}},
      {SYS_set_robust_list, {{A::kPointer, A::kUnsigned}}},
      {SYS_rseq, {{A::kPointer, A::kHex, A::kInt, A::kHex}}},
      {SYS_futex, {{A::kPointer, A::kFutexOp, A::kInt, A::kPointer, A::kPointer, A::kInt}}},
      {SYS_exit, {{A::kInt}, Returns::kNever}},
      {SYS_exit_group, {{A::kInt}, Returns::kNever}},
      {SYS_clone, {{A::kCloneStackAndFlags, A::kCloneIds}}},
      {SYS_clone3, {{A::kPointer, A::kUnsigned}}},
      {SYS_fork, {{}}},
      {SYS_vfork, {{}}},
      {SYS_execve, {{A::kPath, A::kStringArray, A::kEnvArray}}},
      {SYS_wait4, {{A::kInt, A::kWaitStatusOut, A::kWaitOptions, A::kPointer}}},
      {SYS_kill, {{A::kInt, A::kSignal}}},
      {SYS_tkill, {{A::kInt, A::kSignal}}},
      {SYS_tgkill, {{A::kInt, A::kInt, A::kSignal}}},
      {SYS_getpid, {{}}},
      {SYS_gettid, {{}}},
      {SYS_getppid, {{}}},
      {SYS_getuid, {{}}},
      {SYS_geteuid, {{}}},
      {SYS_getgid, {{}}},
      {SYS_getegid, {{}}},
      {SYS_getpgid, {{A::kInt}}},
      {SYS_getpgrp, {{}}},
      {SYS_setpgid, {{A::kInt, A::kInt}}},
      {SYS_getsid, {{A::kInt}}},
      {SYS_setsid, {{}}},
      {SYS_prlimit64, {{A::kInt, A::kRlimitResource, A::kRlimit, A::kRlimitOut}}},
      {SYS_getrlimit, {{A::kRlimitResource, A::kRlimitOut}}},
      {SYS_setrlimit, {{A::kRlimitResource, A::kRlimit}}},
      {SYS_prctl, {{A::kPrctlOption, A::kHex}}},
      {SYS_sched_getaffinity, {{A::kInt, A::kUnsigned, A::kPointer}}},
      {SYS_sched_yield, {{}}},
      {SYS_rt_sigaction, {{A::kSignal, A::kSigaction, A::kSigactionOut, A::kUnsigned}}},
      {SYS_rt_sigprocmask, {{A::kSigHow, A::kSigset, A::kSigsetOut, A::kUnsigned}}},
      {SYS_rt_sigreturn, {{}}},
      {SYS_rt_sigpending, {{A::kSigsetOut, A::kUnsigned}}},
      {SYS_rt_sigsuspend, {{A::kSigset, A::kUnsigned}}},
      {SYS_sigaltstack, {{A::kPointer, A::kPointer}}},
      {SYS_pause, {{}}},
      {SYS_uname, {{A::kUnameOut}}},
      {SYS_sysinfo, {{A::kPointer}}},
      {SYS_getrandom, {{A::kReadBuffer, A::kUnsigned, A::kGetrandomFlags}}},
      {SYS_clock_gettime, {{A::kClockId, A::kTimespecOut}}},
      {SYS_clock_getres, {{A::kClockId, A::kTimespecOut}}},
      {SYS_gettimeofday, {{A::kPointer, A::kPointer}}},
      {SYS_time, {{A::kPointer}}},
      {SYS_nanosleep, {{A::kTimespecIn, A::kSleepRemainder}}},
      {SYS_clock_nanosleep, {{A::kClockId, A::kHex, A::kTimespecIn, A::kSleepRemainder}}},
      {SYS_times, {{A::kPointer}}},
      {SYS_getrusage, {{A::kInt, A::kPointer}}},
  };
  return signatures;
}

}  // namespace

bool is_output(Arg arg) {
  switch (arg) {
    case A::kReadBuffer:
    case A::kStatOut:
    case A::kPipeOut:
    case A::kUnameOut:
    case A::kSigsetOut:
    case A::kSigactionOut:
    case A::kRlimitOut:
    case A::kIovecOut:
    case A::kWaitStatusOut:
    case A::kTimespecOut:
    case A::kSleepRemainder:
    case A::kCloneIds:
    case A::kSockaddrOut:
    case A::kIntOut:
    case A::kSocklen:
    case A::kEpollEventsOut:
      return true;
    default:
      return false;
  }
}

const Signature* signature_of(int number) {
  const auto& t = table();
  auto it = t.find(number);
  return it == t.end() ? nullptr : &it->second;
}

}  // namespace vmlab::emulator
