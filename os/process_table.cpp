#include "os/process_table.h"

#include <set>

namespace vmlab::os {

Process& ProcessTable::add(std::unique_ptr<Process> task) {
  Process& added = *task;
  tasks_.emplace(added.pid(), std::move(task));
  return added;
}

Process* ProcessTable::find(int pid) const {
  auto it = tasks_.find(pid);
  return it == tasks_.end() ? nullptr : it->second.get();
}

size_t ProcessTable::live() const {
  size_t live = 0;
  for (const auto& [pid, p] : tasks_)
    if (p->state() != ProcessState::kZombie) ++live;
  return live;
}

std::vector<Process*> ProcessTable::memory_holders() const {
  std::vector<Process*> holders;
  std::set<const AddressSpace*> seen;
  for (const auto& [pid, p] : tasks_)
    if (p->has_space() && seen.insert(&p->space()).second) holders.push_back(p.get());
  return holders;
}

void ProcessTable::reap(Process& process) {
  finished_.push_back(ProcessSummary{process.pid(), process.ppid(), process.comm,
                                     process.wait_status(), process.instructions_at_exit,
                                     process.peak_resident, process.counters()});
  if (process.pid() == 1) init_status_ = process.wait_status();
  add_counters(reaped_totals_, process.counters());
  remove(process);
}

void ProcessTable::remove(Process& task) {
  const int pid = task.pid();
  removed_.push_back(std::move(tasks_.at(pid)));
  tasks_.erase(pid);
}

ProcessCounters ProcessTable::totals() const {
  ProcessCounters sum = reaped_totals_;
  for (const auto& [pid, p] : tasks_)
    add_counters(sum, p->counters());
  return sum;
}

}  // namespace vmlab::os
