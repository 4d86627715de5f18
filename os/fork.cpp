// fork: a new process whose address space is a copy-on-write copy of its parent's.
#include <cerrno>
#include <stdexcept>

#include "os/kernel.h"

namespace vmlab::os {

Result<Process*> Kernel::fork(Process& parent) {
  if (task_limit_reached()) return Errno(EAGAIN);
  // A child forked by any thread is the process's child (wait4 from any thread finds it).
  auto owned = std::make_unique<Process>(tasks_.allocate_pid(), parent.tgid());
  Process& child = *owned;
  child.inherit_identity(parent);
  child.set_pgid(parent.pgid());
  child.set_sid(parent.sid());
  child.fds() = parent.fds();  // descriptors share their open file descriptions
  const Process& heap_owner = leader_of(parent);
  child.brk_start = heap_owner.brk_start;
  child.brk = heap_owner.brk;
  SignalState& s = child.signals();
  *s.actions = *parent.signals().actions;
  s.blocked = parent.signals().blocked;
  s.altstack_sp = parent.signals().altstack_sp;
  s.altstack_size = parent.signals().altstack_size;
  s.altstack_disabled = parent.signals().altstack_disabled;

  auto space = new_address_space();
  parent.space().fork_into(*space, [this](uint64_t slot) { reclaim_->duplicate_slot(slot); });
  space->set_owner(child.pid());
  child.replace_space(std::move(space));
  child.replace_cpu(platform_.fork_cpu(parent, child));
  child.processor = scheduler_.least_loaded_cpu(parent.affinity);
  child.affinity = parent.affinity;
  leader_of(parent).children.push_back(child.pid());
  tasks_.add(std::move(owned));
  scheduler_.enqueue(child.pid());
  procfs_.add(child.pid());
  KernelEvents::raise(events_.process, ProcessEvent{child, ProcessEvent::Kind::kCreated, 0});
  return &child;
}

}  // namespace vmlab::os
