// The end of tasks: a thread's exit, exit_group and fatal signals, and what the last thread
// leaves to the process's parent (its wait status, SIGCHLD, orphans to init).
#include <algorithm>

#include "os/kernel.h"
#include "os/user_memory.h"
#include "os/wait_status.h"

namespace vmlab::os {

void Kernel::exit_process(Process& process, int wait_status) {
  // exit_group, or a signal that kills: every thread ends, and the process with `wait_status`.
  ThreadGroup& group = process.group();
  if (group.tids.empty()) return;  // over already (the exit path itself may fault)
  if (!group.exiting) {
    group.exiting = true;
    leader_of(process).set_wait_status(wait_status);
  }
  const std::vector<int> others = group.tids;
  for (int tid : others)
    if (Process* t = find(tid); t != nullptr && t != &process) exit_thread(*t, wait_status);
  exit_thread(process, wait_status);
}

void Kernel::exit_thread(Process& task, int wait_status) {
  if (task.state() == ProcessState::kZombie || task.exiting) return;
  task.exiting = true;
  if (task.has_cpu()) {
    task.cpu().request_stop();  // it may be the CPU running right now
    task.instructions_at_exit += task.cpu().instructions();
    retired_cpus_.push_back(task.replace_cpu(nullptr));
  }
  futexes_.cancel(task);
  if (task.has_space()) {
    release_robust_futexes(task);
    if (task.clear_child_tid != 0) {
      // CLONE_CHILD_CLEARTID: zero the TID word and wake a waiter (pthread_join).
      user_memory(task).write_value<uint32_t>(task.clear_child_tid, 0);
      futexes_.wake(private_futex_key(task.space(), task.clear_child_tid), 1, kFutexBitsetMatchAny);
    }
  }
  ThreadGroup& group = task.group();
  std::erase(group.tids, task.pid());
  if (group.created > 1) {
    tasks_.record_thread(ThreadSummary{task.tgid(), task.pid(), task.instructions_at_exit,
                                       task.counters(), task.processor});
  }
  Process& leader = leader_of(task);
  // Without exit_group, the process ends with its last thread's status.
  if (!group.exiting && group.tids.empty()) leader.set_wait_status(wait_status);
  if (task.has_space())
    leader.peak_resident = std::max(leader.peak_resident, task.space().stats().peak_resident);
  // The thread lets go of the memory and descriptors it shares; the last one frees them.
  task.release_fds();
  task.replace_space(nullptr);
  if (&task != &leader) {
    // A thread other than the first is reaped at once (its exit signal is none); what it
    // counted becomes the process's.
    add_counters(leader.counters(), task.counters());
    leader.instructions_at_exit += task.instructions_at_exit;
    task.set_state(ProcessState::kZombie);
    KernelEvents::raise(events_.process,
                        ProcessEvent{task, ProcessEvent::Kind::kThreadExit, wait_status});
    if (current_ == &task) current_ = nullptr;
    tasks_.remove_thread(task);
  } else if (!group.tids.empty()) {
    // The first thread ended before the others: the process lives on in them.
    leader.set_state(ProcessState::kZombie);
  }
  if (group.tids.empty()) finish_process(leader);
}

void Kernel::finish_process(Process& process) {
  // The last thread has exited: the process's files and memory go, its parent learns of it.
  const int wait_status = process.wait_status();
  process.set_state(ProcessState::kZombie);
  reparent_children(process);
  KernelEvents::raise(events_.process,
                      ProcessEvent{process, ProcessEvent::Kind::kExit, wait_status});

  if (Process* waiting = find(process.vfork_parent);
      waiting != nullptr && waiting->vfork_child == process.pid())
    waiting->vfork_child = 0;
  Process* parent = find(process.ppid());
  if (parent != nullptr && !parent->group().tids.empty()) {
    SigInfo info;
    info.signo = process.exit_signal;
    info.pid = process.pid();
    const int signo = terminating_signal(wait_status);
    info.code = signo != 0 ? si_code::kChldKilled : si_code::kChldExited;
    info.status = signo != 0 ? signo : exit_code(wait_status);
    if (info.signo != 0) send_signal(*parent, info);
    return;
  }
  // Nobody will wait for it: reap immediately.
  reap(process);
}

void Kernel::reparent_children(Process& process) {
  // Orphans go to init; zombies nobody can wait for any more are reaped now.
  std::vector<Process*> orphans;
  for (const auto& [pid, child] : tasks_.all())
    if (child->ppid() == process.pid()) orphans.push_back(child.get());
  Process* init = find(1);
  const bool init_alive = init != nullptr && !init->group().tids.empty() && init != &process;
  for (Process* child : orphans) {
    child->set_ppid(init_alive ? 1 : 0);
    if (child->is_leader() && child->group().tids.empty() && !init_alive) reap(*child);
  }
}

}  // namespace vmlab::os
