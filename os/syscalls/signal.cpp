// Signal system calls: rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack, rt_sigpending,
// rt_sigsuspend, pause.
#include <sys/syscall.h>

#include <cerrno>
#include <csignal>

#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kSigsetBytes = 8;  // the kernel's sigset_t on x86-64
constexpr int32_t kSsDisable = 2, kSsOnStack = 1;
constexpr uint64_t kMinSigStack = 2048;  // MINSIGSTKSZ

// struct kernel_sigaction on x86-64: handler, flags, restorer, mask.
struct KernelSigaction {
  uint64_t handler, flags, restorer, mask;
};
struct StackT {
  uint64_t sp;
  int32_t flags;
  int32_t pad;
  uint64_t size;
};

int64_t sys_rt_sigaction(SyscallContext& c) {
  const int signo = c.int_arg(0);
  if (signo < 1 || signo > sig::kMax || c.arg(3) != kSigsetBytes) return -EINVAL;
  SignalState& s = c.process.signals();
  const SigAction& current = s.action(signo);
  KernelSigaction old{current.handler, current.flags, current.restorer, current.mask};
  if (c.arg(1) != 0) {
    if (signo == sig::kKill || signo == sig::kStop) return -EINVAL;
    KernelSigaction act{};
    if (!c.user().read_value(c.arg(1), act)) return -EFAULT;
    s.action(signo) =
        SigAction{act.handler, act.flags, act.restorer, act.mask & ~kUnblockableSignals};
    // Setting SIG_IGN discards a pending instance (POSIX), in every thread.
    if (act.handler == kSigIgn) {
      c.process.group().pending.discard(signo);
      for (int tid : c.process.group().tids)
        if (Process* t = c.kernel.find(tid)) t->signals().pending.discard(signo);
    }
  }
  if (c.arg(2) != 0 && !c.user().write_value(c.arg(2), old)) return -EFAULT;
  return 0;
}

int64_t sys_rt_sigprocmask(SyscallContext& c) {
  if (c.arg(3) != kSigsetBytes) return -EINVAL;
  SignalState& s = c.process.signals();
  const uint64_t old = s.blocked;
  if (c.arg(1) != 0) {
    uint64_t set = 0;
    if (!c.user().read_value(c.arg(1), set)) return -EFAULT;
    switch (c.int_arg(0)) {
      case SIG_BLOCK:
        s.blocked |= set;
        break;
      case SIG_UNBLOCK:
        s.blocked &= ~set;
        break;
      case SIG_SETMASK:
        s.blocked = set;
        break;
      default:
        return -EINVAL;
    }
    s.blocked &= ~kUnblockableSignals;
  }
  if (c.arg(2) != 0 && !c.user().write_value(c.arg(2), old)) return -EFAULT;
  if (c.process.has_deliverable_signal()) c.process.cpu().request_stop();  // deliver now
  return 0;
}

int64_t sys_rt_sigreturn(SyscallContext& c) {
  if (!c.kernel.sigreturn(c.process)) {
    SigInfo info;
    info.signo = sig::kSegv;
    info.code = si_code::kKernel;
    c.kernel.force_signal(c.process, info);
  }
  c.no_return = true;
  return 0;
}

int64_t sys_sigaltstack(SyscallContext& c) {
  SignalState& s = c.process.signals();
  const uint64_t sp = c.process.cpu().reg(Reg::kRsp);
  const bool on_stack =
      !s.altstack_disabled && sp > s.altstack_sp && sp - s.altstack_sp <= s.altstack_size;
  StackT old{s.altstack_sp, s.altstack_disabled ? kSsDisable : (on_stack ? kSsOnStack : 0), 0,
             s.altstack_size};
  if (c.arg(0) != 0) {
    StackT ss{};
    if (!c.user().read_value(c.arg(0), ss)) return -EFAULT;
    if (on_stack) return -EPERM;
    if ((ss.flags & ~kSsDisable) != 0) return -EINVAL;
    if ((ss.flags & kSsDisable) != 0) {
      s.altstack_disabled = true;
      s.altstack_sp = s.altstack_size = 0;
    } else {
      if (ss.size < kMinSigStack) return -ENOMEM;
      s.altstack_disabled = false;
      s.altstack_sp = ss.sp;
      s.altstack_size = ss.size;
    }
  }
  if (c.arg(1) != 0 && !c.user().write_value(c.arg(1), old)) return -EFAULT;
  return 0;
}

int64_t sys_rt_sigpending(SyscallContext& c) {
  const uint64_t pending = c.process.pending_signals() & c.process.signals().blocked;
  return c.user().write_value(c.arg(0), pending) ? 0 : -EFAULT;
}

int64_t sys_pause(SyscallContext& c) {
  // Sleeps until a handler runs; delivery ends the call with -EINTR.
  c.block = true;
  return -EINTR;
}

int64_t sys_rt_sigsuspend(SyscallContext& c) {
  // Sleeps with the temporary mask until a handler runs, even when the signal is pending
  // already: the scheduler delivers it before the process runs again, the handler's frame
  // saves the old mask, and the call ends with -EINTR. A signal nobody handles is discarded
  // and the call sleeps on.
  if (c.retry) {
    c.block = true;
    return -EINTR;
  }
  if (c.arg(1) != kSigsetBytes) return -EINVAL;
  uint64_t mask = 0;
  if (!c.user().read_value(c.arg(0), mask)) return -EFAULT;
  c.process.signals().set_temporary_mask(mask);
  c.block = true;
  return -EINTR;
}

}  // namespace

void register_signal_syscalls(SyscallTable& table) {
  table.add(SYS_rt_sigaction, sys_rt_sigaction);
  table.add(SYS_rt_sigprocmask, sys_rt_sigprocmask);
  table.add(SYS_rt_sigreturn, sys_rt_sigreturn);
  table.add(SYS_sigaltstack, sys_sigaltstack);
  table.add(SYS_rt_sigpending, sys_rt_sigpending);
  table.add(SYS_pause, sys_pause, OnSignal::kInterrupt);
  table.add(SYS_rt_sigsuspend, sys_rt_sigsuspend, OnSignal::kInterrupt);
}

}  // namespace vmlab::os
