// fork, vfork, clone and clone3: a new process (a copy-on-write copy) or a new thread of this
// one, depending on the flags, checked as Linux's copy_process checks them.
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include <linux/sched.h>

#include <cerrno>

#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                                     CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWCGROUP;
constexpr uint64_t kExitSignalMask = 0xff;

struct CloneRequest {
  uint64_t flags = 0;
  uint64_t stack = 0;  // the new stack pointer (0: the parent's)
  uint64_t parent_tid = 0, child_tid = 0, tls = 0;
  int exit_signal = 0;
};

// Checks the flag combinations Linux's copy_process refuses; 0 or -errno.
int64_t check_clone_flags(SyscallContext& c, uint64_t flags) {
  if ((flags & kNamespaceFlags) != 0) return -EINVAL;  // namespaces are not modelled
  if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) return -EINVAL;
  if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) return -EINVAL;
  if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_THREAD) == 0) {
    // Sharing dispositions needs shared memory, which vmlab gives threads only.
    c.kernel.warn_once("vmlab: pid " + std::to_string(c.process.pid()) + " (" + c.process.comm +
                       ") clones with CLONE_SIGHAND but not CLONE_THREAD: not supported, EINVAL");
    return -EINVAL;
  }
  return 0;
}

int64_t clone_common(SyscallContext& c, const CloneRequest& r) {
  if (const int64_t bad = check_clone_flags(c, r.flags); bad != 0) return bad;
  const bool thread = (r.flags & CLONE_THREAD) != 0;
  // Without CLONE_THREAD the child gets a copy of the memory, even with CLONE_VM (vfork and
  // posix_spawn run in it until exec: see os/README.md).
  const Result<Process*> created =
      thread ? c.kernel.clone_thread(c.process) : c.kernel.fork(c.process);
  if (!created) return created.error().syscall_return();
  Process* child = *created;
  if (!thread && (r.flags & CLONE_FILES) != 0) child->share_fds(c.process);
  CpuPort& cpu = child->cpu();
  cpu.set_reg(Reg::kRax, 0);
  if (r.stack != 0) cpu.set_reg(Reg::kRsp, r.stack);
  if ((r.flags & CLONE_SETTLS) != 0) cpu.set_reg(Reg::kFsBase, r.tls);
  if ((r.flags & CLONE_PARENT_SETTID) != 0)
    c.user().write_value<int32_t>(r.parent_tid, child->pid());
  if ((r.flags & CLONE_CHILD_SETTID) != 0)
    c.kernel.user_memory(*child).write_value<int32_t>(r.child_tid, child->pid());
  if ((r.flags & CLONE_CHILD_CLEARTID) != 0) child->clear_child_tid = r.child_tid;
  child->exit_signal = thread ? 0 : r.exit_signal;
  if ((r.flags & CLONE_VFORK) != 0) {
    // The parent is not scheduled until the child execs or exits (the child's memory is a
    // copy, not shared: see README).
    c.process.vfork_child = child->pid();
    child->vfork_parent = c.process.pid();
    c.process.cpu().request_stop();
  }
  return child->pid();
}

int64_t sys_clone(SyscallContext& c) {
  // x86-64 argument order: flags, newsp, parent_tid, child_tid, tls.
  return clone_common(c, CloneRequest{c.arg(0) & ~kExitSignalMask, c.arg(1), c.arg(2), c.arg(3),
                                      c.arg(4), static_cast<int>(c.arg(0) & kExitSignalMask)});
}
int64_t sys_fork(SyscallContext& c) {
  return clone_common(c, CloneRequest{0, 0, 0, 0, 0, SIGCHLD});
}
int64_t sys_vfork(SyscallContext& c) {
  return clone_common(c, CloneRequest{CLONE_VFORK | CLONE_VM, 0, 0, 0, 0, SIGCHLD});
}

// struct clone_args (include/uapi/linux/sched.h), as far as CLONE_ARGS_SIZE_VER0.
struct CloneArgs {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};
constexpr uint64_t kCloneArgsSizeVer0 = 64;
constexpr uint64_t kCloneArgsMaxSize = 4096;  // PAGE_SIZE: larger structs are E2BIG

int64_t sys_clone3(SyscallContext& c) {
  const uint64_t size = c.arg(1);
  if (size < kCloneArgsSizeVer0) return -EINVAL;
  if (size > kCloneArgsMaxSize) return -E2BIG;
  CloneArgs a{};
  if (!c.user().read_value(c.arg(0), a)) return -EFAULT;
  // Fields past the ones known here must be zero (set_tid, cgroup: not modelled).
  for (uint64_t at = sizeof a; at + sizeof(uint64_t) <= size; at += sizeof(uint64_t)) {
    uint64_t extra = 0;
    if (!c.user().read_value(c.arg(0) + at, extra)) return -EFAULT;
    if (extra != 0) return -EINVAL;
  }
  if ((a.flags & (CLONE_PIDFD | CLONE_DETACHED)) != 0 || a.exit_signal > kExitSignalMask ||
      (a.stack == 0) != (a.stack_size == 0))
    return -EINVAL;
  if ((a.flags & CLONE_THREAD) != 0 && a.exit_signal != 0) return -EINVAL;
  // clone3 names the stack by its lowest address and size; the CPU starts at the top.
  return clone_common(
      c, CloneRequest{a.flags, a.stack == 0 ? 0 : a.stack + a.stack_size, a.parent_tid, a.child_tid,
                      a.tls, static_cast<int>(a.exit_signal)});
}

}  // namespace

void register_clone_syscalls(SyscallTable& table) {
  table.add(SYS_clone, sys_clone);
  table.add(SYS_clone3, sys_clone3);
  table.add(SYS_fork, sys_fork);
  table.add(SYS_vfork, sys_vfork);
}

}  // namespace vmlab::os
