// Threads: clone(CLONE_THREAD) and what a thread leaves behind when it ends.
#include <linux/futex.h>

#include <cerrno>

#include "os/kernel.h"
#include "os/user_memory.h"

namespace vmlab::os {

namespace {

// struct robust_list_head (include/uapi/linux/futex.h): the list, the offset of the futex
// word from each entry, and the entry being acquired or released.
struct RobustListHead {
  uint64_t next;
  int64_t futex_offset;
  uint64_t pending;
};
// Linux's ROBUST_LIST_LIMIT: a cyclic or corrupt list ends the walk.
constexpr int kRobustListLimit = 2048;

}  // namespace

bool Kernel::task_limit_reached() const {
  // --max-procs counts tasks, threads included, as RLIMIT_NPROC does.
  return tasks_.live() >= config_.max_processes;
}

Result<Process*> Kernel::clone_thread(Process& parent) {
  if (task_limit_reached()) return Errno(EAGAIN);
  auto owned = std::make_unique<Process>(tasks_.allocate_pid(), parent);
  Process& thread = *owned;
  ++thread.group().created;
  thread.inherit_identity(parent);
  thread.replace_space(parent.shared_space());
  SignalState& s = thread.signals();
  s.actions = parent.signals().actions;  // CLONE_SIGHAND
  s.blocked = parent.signals().blocked;
  // The alternate stack is the parent thread's memory: a new thread starts without one.
  thread.replace_cpu(platform_.fork_cpu(parent, thread));
  thread.processor = scheduler_.least_loaded_cpu(parent.affinity);
  thread.affinity = parent.affinity;
  tasks_.add(std::move(owned));
  scheduler_.enqueue(thread.pid());
  KernelEvents::raise(events_.process, ProcessEvent{thread, ProcessEvent::Kind::kCreated, 0});
  return &thread;
}

void Kernel::release_robust_futexes(Process& task) {
  if (task.robust_list == 0) return;
  UserMemory user = user_memory(task);
  RobustListHead head{};
  if (!user.read_value(task.robust_list, head)) return;
  const auto release = [&](uint64_t entry) {
    const uint64_t word_at = entry + static_cast<uint64_t>(head.futex_offset);
    uint32_t word = 0;
    if (!user.read_value(word_at, word)) return false;
    if ((word & FUTEX_TID_MASK) != static_cast<uint32_t>(task.pid())) return true;
    const uint32_t died = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (!user.write_value(word_at, died)) return false;
    if ((word & FUTEX_WAITERS) != 0)
      futexes_.wake(private_futex_key(task.space(), word_at), 1, kFutexBitsetMatchAny);
    return true;
  };
  uint64_t entry = head.next;
  for (int i = 0; i < kRobustListLimit && entry != task.robust_list; ++i) {
    uint64_t next = 0;
    if (!user.read_value(entry, next)) return;
    if (entry != head.pending && !release(entry)) return;
    entry = next;
  }
  if (head.pending != 0) release(head.pending);
}

}  // namespace vmlab::os
