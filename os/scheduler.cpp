#include "os/scheduler.h"

#include <algorithm>

namespace vmlab::os {

Scheduler::Scheduler(const ProcessTable& tasks, TlbControl& tlb, size_t cpus,
                     std::function<bool(Process&)> resume_blocked)
    : tasks_(tasks), tlb_(tlb), resume_blocked_(std::move(resume_blocked)), cpus_(cpus) {}

size_t Scheduler::least_loaded_cpu(uint64_t affinity) const {
  std::vector<size_t> load(cpus_.size(), 0);
  for (const auto& [pid, p] : tasks_.all())
    if (p->state() != ProcessState::kZombie && p->processor < load.size()) ++load[p->processor];
  size_t best = cpus_.size();
  for (size_t cpu = 0; cpu < load.size() && cpu < 64; ++cpu)
    if ((affinity >> cpu & 1) != 0 && (best == cpus_.size() || load[cpu] < load[best])) best = cpu;
  return best == cpus_.size() ? 0 : best;
}

Process* Scheduler::next_turn() {
  Process* p = nullptr;
  for (size_t tried = 0; tried < cpus_.size() && p == nullptr; ++tried) {
    tlb_.set_cpu(next_cpu_);
    p = pick_next(next_cpu_);
    next_cpu_ = (next_cpu_ + 1) % cpus_.size();
  }
  return p;
}

Process* Scheduler::pick_next(size_t cpu) {
  // Round robin over the tasks of this CPU in the run queue; blocked ones get their call
  // retried when their turn comes, so a wake-up is noticed within one round.
  std::erase_if(run_queue_, [this](int pid) {
    const Process* p = tasks_.find(pid);
    return p == nullptr || p->state() == ProcessState::kZombie;
  });
  // The candidates are copied (the loop moves them in the run queue) into a buffer kept
  // between turns: no allocation per context switch.
  turn_.clear();
  for (int pid : run_queue_)
    if (tasks_.find(pid)->processor == cpu) turn_.push_back(pid);
  for (const int pid : turn_) {
    run_queue_.erase(std::find(run_queue_.begin(), run_queue_.end(), pid));
    run_queue_.push_back(pid);
    Process* p = tasks_.find(pid);
    if (p == nullptr || p->state() == ProcessState::kZombie) continue;  // ended meanwhile
    if (p->vfork_child != 0) {
      const Process* child = tasks_.find(p->vfork_child);
      if (child != nullptr && child->state() != ProcessState::kZombie) continue;
      p->vfork_child = 0;
    }
    if (p->state() == ProcessState::kBlocked && !resume_blocked_(*p)) continue;
    return p;
  }
  return nullptr;
}

uint64_t Scheduler::earliest_wake_ns() const {
  uint64_t wake = UINT64_MAX;
  for (int pid : run_queue_) {
    Process* q = tasks_.find(pid);
    if (q != nullptr && q->state() == ProcessState::kBlocked && q->blocked_call().wake_at_ns != 0)
      wake = std::min(wake, q->blocked_call().wake_at_ns);
  }
  return wake;
}

bool Scheduler::switch_to(Process& task) {
  // Loads CR3 also without a switch: after execve the same process has a new address space.
  // Between threads of one process CR3 stays as it is: their switch keeps the TLB.
  CpuCounters& here = cpus_[tlb_.cpu()];
  tlb_.switch_to(task.space());
  task.cpu().set_processor(tlb_.cpu());
  ++here.slices;
  if (task.pid() == here.last_task) return false;
  ++context_switches_;
  ++here.context_switches;
  ++task.counters().context_switches;
  here.last_task = task.pid();
  return true;
}

}  // namespace vmlab::os
