// Process system calls: identity, execve, exit, wait4, kill, limits, prctl, affinity.
#include <linux/prctl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <asm/prctl.h>

#include <cerrno>
#include <cstring>

#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"
#include "os/wait_status.h"

namespace vmlab::os {

namespace {

constexpr size_t kCommBytes = 16;  // TASK_COMM_LEN

int64_t sys_getpid(SyscallContext& c) {
  return c.process.tgid();
}
int64_t sys_gettid(SyscallContext& c) {
  return c.process.pid();
}
int64_t sys_getppid(SyscallContext& c) {
  return c.process.ppid();
}
int64_t sys_set_tid_address(SyscallContext& c) {
  c.process.clear_child_tid = c.arg(0);
  return c.process.pid();
}

int64_t sys_arch_prctl(SyscallContext& c) {
  switch (c.int_arg(0)) {
    case ARCH_SET_FS:
      if (!mmu::is_canonical(mmu::VirtAddr{c.arg(1)})) return -EPERM;
      c.process.cpu().set_reg(Reg::kFsBase, c.arg(1));
      return 0;
    case ARCH_GET_FS:
      return c.user().write_value(c.arg(1), c.process.cpu().reg(Reg::kFsBase)) ? 0 : -EFAULT;
    case ARCH_SET_GS:
      if (!mmu::is_canonical(mmu::VirtAddr{c.arg(1)})) return -EPERM;
      c.process.cpu().set_reg(Reg::kGsBase, c.arg(1));
      return 0;
    case ARCH_GET_GS:
      return c.user().write_value(c.arg(1), c.process.cpu().reg(Reg::kGsBase)) ? 0 : -EFAULT;
    default:
      return -EINVAL;
  }
}

int64_t sys_exit(SyscallContext& c) {
  c.kernel.exit_thread(c.process, exited_status(c.int_arg(0)));
  c.no_return = true;
  return 0;
}
int64_t sys_exit_group(SyscallContext& c) {
  c.kernel.exit_process(c.process, exited_status(c.int_arg(0)));
  c.no_return = true;
  return 0;
}

int64_t sys_execve(SyscallContext& c) {
  auto user = c.user();
  auto path = user.read_string(c.arg(0), PATH_MAX);
  if (!path) return path.error().syscall_return();
  auto argv = user.read_string_array(c.arg(1));
  if (!argv) return argv.error().syscall_return();
  auto envp = user.read_string_array(c.arg(2));
  if (!envp) return envp.error().syscall_return();
  if (*path == "/proc/self/exe") *path = c.process.exe;
  const auto result = c.kernel.exec(c.process, *path, *argv, *envp);
  if (!result) return result.error().code.syscall_return();
  c.no_return = true;
  return 0;
}

bool matches(const Process& child, int pid, const Process& waiter) {
  if (pid > 0) return child.pid() == pid;
  if (pid == -1) return true;
  if (pid == 0) return child.pgid() == waiter.pgid();
  return child.pgid() == -pid;
}

int64_t sys_wait4(SyscallContext& c) {
  const int pid = c.int_arg(0);
  const uint64_t status_ptr = c.arg(1);
  const int options = c.int_arg(2);
  if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE)) != 0) return -EINVAL;
  bool any = false;
  for (const auto& [cpid, child] : c.kernel.tasks().all()) {
    // Children of any thread of the process; a process is done when its last thread is.
    if (!child->is_leader() || child->ppid() != c.process.tgid() ||
        !matches(*child, pid, c.process))
      continue;
    any = true;
    if (child->state() != ProcessState::kZombie || !child->group().tids.empty()) continue;
    const int found = child->pid();
    const int status = child->wait_status();
    if (status_ptr != 0 && !c.user().write_value<int32_t>(status_ptr, status)) return -EFAULT;
    if (c.arg(3) != 0) {
      struct rusage usage {};
      if (!c.user().write_value(c.arg(3), usage)) return -EFAULT;
    }
    c.kernel.reap_child(*child);
    return found;
  }
  if (!any) return -ECHILD;
  if ((options & WNOHANG) != 0) return 0;
  c.block = true;
  return 0;
}

int64_t signal_targets(SyscallContext& c, int pid, int signo, int code) {
  if (signo < 0 || signo > sig::kMax) return -EINVAL;
  std::vector<Process*> targets;
  for (const auto& [tpid, p] : c.kernel.tasks().all()) {
    // A process is signalled once, through any of its thread IDs; it exists while it has
    // threads (or is a zombie named by its own ID).
    const bool over = p->group().tids.empty();
    if (over && pid != p->pid()) continue;
    if (pid <= 0 && !p->is_leader()) continue;
    const bool hit = pid > 0     ? p->pid() == pid
                     : pid == 0  ? p->pgid() == c.process.pgid()
                     : pid == -1 ? (p->pid() != 1 && p->tgid() != c.process.tgid())
                                 : p->pgid() == -pid;
    if (hit) targets.push_back(p.get());
  }
  if (targets.empty()) return -ESRCH;
  if (signo == 0) return 0;
  for (Process* p : targets) {
    SigInfo info;
    info.signo = signo;
    info.code = code;
    info.pid = c.process.tgid();
    c.kernel.send_signal(*p, info);
  }
  return 0;
}

int64_t sys_kill(SyscallContext& c) {
  return signal_targets(c, c.int_arg(0), c.int_arg(1), si_code::kUser);
}
// tkill and tgkill: a signal for one thread. tgid -1 (tkill) accepts any process.
int64_t signal_thread(SyscallContext& c, int tgid, int tid, int signo) {
  if (tid <= 0 || signo < 0 || signo > sig::kMax) return -EINVAL;
  Process* t = c.kernel.find(tid);
  if (t == nullptr || t->state() == ProcessState::kZombie || (tgid != -1 && t->tgid() != tgid))
    return -ESRCH;
  if (signo == 0) return 0;
  SigInfo info;
  info.signo = signo;
  info.code = si_code::kTkill;
  info.pid = c.process.tgid();
  c.kernel.send_thread_signal(*t, info);
  return 0;
}

int64_t sys_tkill(SyscallContext& c) {
  return signal_thread(c, -1, c.int_arg(0), c.int_arg(1));
}
int64_t sys_tgkill(SyscallContext& c) {
  if (c.int_arg(0) <= 0) return -EINVAL;
  return signal_thread(c, c.int_arg(0), c.int_arg(1), c.int_arg(2));
}

struct Rlimit64 {
  uint64_t cur, max;
};

Rlimit64 limit_of(int resource) {
  switch (resource) {
    case RLIMIT_STACK:
      return {layout::kStackMax, RLIM_INFINITY};
    case RLIMIT_NOFILE:
      return {vfs::FdTable::kMaxFds, vfs::FdTable::kMaxFds};
    case RLIMIT_NPROC:
      return {4096, 4096};
    case RLIMIT_CORE:
      return {0, RLIM_INFINITY};
    case RLIMIT_MEMLOCK:
      return {8 << 20, 8 << 20};
    case RLIMIT_SIGPENDING:
      return {4096, 4096};
    case RLIMIT_MSGQUEUE:
      return {819200, 819200};
    default:
      return {RLIM_INFINITY, RLIM_INFINITY};
  }
}

int64_t sys_prlimit64(SyscallContext& c) {
  const int pid = c.int_arg(0), resource = c.int_arg(1);
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  if (pid != 0 && pid != c.process.pid() && c.kernel.find(pid) == nullptr) return -ESRCH;
  if (c.arg(3) != 0 && !c.user().write_value(c.arg(3), limit_of(resource))) return -EFAULT;
  return 0;  // new limits are accepted and not enforced
}

int64_t sys_getrlimit(SyscallContext& c) {
  const int resource = c.int_arg(0);
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  return c.user().write_value(c.arg(1), limit_of(resource)) ? 0 : -EFAULT;
}
int64_t sys_setrlimit(SyscallContext& c) {
  return c.int_arg(0) < 0 || c.int_arg(0) >= RLIM_NLIMITS ? -EINVAL : 0;
}

int64_t sys_prctl(SyscallContext& c) {
  switch (c.int_arg(0)) {
    case PR_SET_NAME: {
      char name[kCommBytes] = {};
      auto s = c.user().read_string(c.arg(1), kCommBytes - 1);
      if (!s && s.error() != Errno(ENAMETOOLONG)) return -EFAULT;
      if (!s) {
        if (!c.user().read(c.arg(1), {reinterpret_cast<uint8_t*>(name), kCommBytes - 1}))
          return -EFAULT;
        s = std::string(name, strnlen(name, kCommBytes - 1));
      }
      c.process.comm = *s;
      return 0;
    }
    case PR_GET_NAME: {
      char name[kCommBytes] = {};
      std::memcpy(name, c.process.comm.data(), std::min(c.process.comm.size(), kCommBytes - 1));
      return c.user().write(c.arg(1), {reinterpret_cast<uint8_t*>(name), kCommBytes}) ? 0 : -EFAULT;
    }
    case PR_SET_PDEATHSIG:
    case PR_SET_DUMPABLE:
    case PR_SET_NO_NEW_PRIVS:
      return 0;
    case PR_GET_DUMPABLE:
      return 1;
    default:
      return -EINVAL;
  }
}

int64_t sys_umask(SyscallContext& c) {
  const uint32_t old = c.process.umask;
  for (const int tid : c.process.group().tids)  // shared by the threads (CLONE_FS)
    if (Process* t = c.kernel.find(tid)) t->umask = static_cast<uint32_t>(c.arg(0)) & 0777;
  c.process.umask = static_cast<uint32_t>(c.arg(0)) & 0777;
  return old;
}

int64_t sys_getpgid(SyscallContext& c) {
  const int pid = c.int_arg(0);
  Process* p = pid == 0 ? &c.process : c.kernel.find(pid);
  return p == nullptr ? -ESRCH : p->pgid();
}
int64_t sys_getpgrp(SyscallContext& c) {
  return c.process.pgid();
}
int64_t sys_setpgid(SyscallContext& c) {
  const int pid = c.int_arg(0), pgid = c.int_arg(1);
  if (pgid < 0) return -EINVAL;
  Process* p = pid == 0 ? &c.process : c.kernel.find(pid);
  if (p == nullptr || (p != &c.process && p->ppid() != c.process.pid())) return -ESRCH;
  p->set_pgid(pgid == 0 ? p->pid() : pgid);
  return 0;
}
int64_t sys_getsid(SyscallContext& c) {
  const int pid = c.int_arg(0);
  Process* p = pid == 0 ? &c.process : c.kernel.find(pid);
  return p == nullptr ? -ESRCH : p->sid();
}
int64_t sys_setsid(SyscallContext& c) {
  if (c.process.pgid() == c.process.pid()) return -EPERM;
  c.process.set_sid(c.process.pid());
  c.process.set_pgid(c.process.pid());
  return c.process.pid();
}

// CPU masks as the kernel copies them: one 64-bit word (vmlab models at most 64 CPUs).
constexpr uint64_t kCpuMaskBytes = sizeof(uint64_t);

uint64_t machine_cpus_mask(const Kernel& k) {
  const uint32_t n = k.config().cpus;
  return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
}

Process* affinity_target(SyscallContext& c) {
  return c.int_arg(0) == 0 ? &c.process : c.kernel.find(c.int_arg(0));
}

int64_t sys_sched_getaffinity(SyscallContext& c) {
  if (c.arg(1) < kCpuMaskBytes || c.arg(1) % sizeof(uint64_t) != 0) return -EINVAL;
  const Process* t = affinity_target(c);
  if (t == nullptr) return -ESRCH;
  const uint64_t mask = t->affinity & machine_cpus_mask(c.kernel);
  return c.user().write_value(c.arg(2), mask) ? static_cast<int64_t>(kCpuMaskBytes) : -EFAULT;
}

int64_t sys_sched_setaffinity(SyscallContext& c) {
  Process* t = affinity_target(c);
  if (t == nullptr) return -ESRCH;
  uint64_t mask = 0;
  const uint64_t bytes = std::min<uint64_t>(c.arg(1), kCpuMaskBytes);
  if (!c.user().read(c.arg(2), {reinterpret_cast<uint8_t*>(&mask), bytes})) return -EFAULT;
  mask &= machine_cpus_mask(c.kernel);
  if (mask == 0) return -EINVAL;
  t->affinity = mask;
  if ((mask >> t->processor & 1) == 0) {
    // It moves to an allowed CPU at its next time slice.
    t->processor = static_cast<size_t>(__builtin_ctzll(mask));
    if (t == &c.process) c.process.cpu().request_stop();
  }
  return 0;
}
int64_t sys_sched_yield(SyscallContext& c) {
  c.process.cpu().request_stop();  // give the rest of the slice away
  return 0;
}

// struct robust_list_head: three words.
constexpr uint64_t kRobustListHeadBytes = 24;

int64_t sys_set_robust_list(SyscallContext& c) {
  if (c.arg(1) != kRobustListHeadBytes) return -EINVAL;
  c.process.robust_list = c.arg(0);
  return 0;
}

int64_t sys_get_robust_list(SyscallContext& c) {
  const int tid = c.int_arg(0);
  const Process* t = tid == 0 ? &c.process : c.kernel.find(tid);
  if (t == nullptr) return -ESRCH;
  if (!c.user().write_value(c.arg(1), t->robust_list) ||
      !c.user().write_value(c.arg(2), kRobustListHeadBytes))
    return -EFAULT;
  return 0;
}
int64_t sys_rseq(SyscallContext&) {
  return -ENOSYS;
}

}  // namespace

void register_process_syscalls(SyscallTable& table) {
  table.add(SYS_getpid, sys_getpid);
  table.add(SYS_gettid, sys_gettid);
  table.add(SYS_getppid, sys_getppid);
  table.add(SYS_set_tid_address, sys_set_tid_address);
  table.add(SYS_arch_prctl, sys_arch_prctl);
  table.add(SYS_exit, sys_exit);
  table.add(SYS_exit_group, sys_exit_group);
  table.add(SYS_execve, sys_execve);
  table.add(SYS_wait4, sys_wait4);
  table.add(SYS_kill, sys_kill);
  table.add(SYS_tkill, sys_tkill);
  table.add(SYS_tgkill, sys_tgkill);
  table.add(SYS_prlimit64, sys_prlimit64);
  table.add(SYS_getrlimit, sys_getrlimit);
  table.add(SYS_setrlimit, sys_setrlimit);
  table.add(SYS_prctl, sys_prctl);
  table.add(SYS_umask, sys_umask);
  table.add(SYS_getpgid, sys_getpgid);
  table.add(SYS_getpgrp, sys_getpgrp);
  table.add(SYS_setpgid, sys_setpgid);
  table.add(SYS_getsid, sys_getsid);
  table.add(SYS_setsid, sys_setsid);
  table.add(SYS_sched_getaffinity, sys_sched_getaffinity);
  table.add(SYS_sched_setaffinity, sys_sched_setaffinity);
  table.add(SYS_sched_yield, sys_sched_yield);
  table.add(SYS_set_robust_list, sys_set_robust_list);
  table.add(SYS_get_robust_list, sys_get_robust_list);
  table.add(SYS_rseq, sys_rseq);
}

}  // namespace vmlab::os
