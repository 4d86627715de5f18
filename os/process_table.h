// Every task by ID: pid allocation, lookup, the zombies reaped and what they leave behind (the
// summaries and totals of the statistics). The analogue of Linux's kernel/pid.c (alloc_pid,
// find_task_by_vpid) and of release_task in kernel/exit.c.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "os/kernel_events.h"
#include "os/process.h"
#include "os/process_counters.h"

namespace vmlab::os {

class ProcessTable {
 public:
  using Tasks = std::map<int, std::unique_ptr<Process>>;

  // The ID of a new task (the first is 1, init); IDs are never reused.
  int allocate_pid() { return next_pid_++; }
  Process& add(std::unique_ptr<Process> task);
  // Forgets a task that never ran (a spawn whose exec failed).
  void discard(int pid) { tasks_.erase(pid); }
  // The task with this ID (a process's first thread has the process's ID), or null.
  Process* find(int pid) const;
  // Every task (threads included), by ID.
  const Tasks& all() const { return tasks_; }
  bool empty() const { return tasks_.empty(); }
  // Tasks that have not exited (zombies excluded).
  size_t live() const;
  // One task per address space (threads share one), the lowest ID first: for sums over
  // memory that must count a process's pages once.
  std::vector<Process*> memory_holders() const;

  // A zombie's status has been reported (or nobody will wait for it): its summary and counters
  // are kept, the task leaves the table.
  void reap(Process& process);
  // A thread of a process that had several has ended: what it did, for the statistics.
  void record_thread(const ThreadSummary& summary) { finished_threads_.push_back(summary); }
  // A thread other than the first has ended: it leaves the table at once.
  void remove_thread(Process& task) { remove(task); }
  // Frees the tasks that left the table. They may still be in use by the caller that removed
  // them (a hook of their own CPU), so they go between time slices.
  void free_removed() { removed_.clear(); }
  // Shutdown: every task goes now.
  void clear() { tasks_.clear(); }

  // Counters summed over every process that ever ran.
  ProcessCounters totals() const;
  const std::vector<ProcessSummary>& finished() const { return finished_; }
  const std::vector<ThreadSummary>& finished_threads() const { return finished_threads_; }
  int init_status() const { return init_status_; }

 private:
  void remove(Process& task);

  Tasks tasks_;
  int next_pid_ = 1;
  std::vector<std::unique_ptr<Process>> removed_;
  std::vector<ProcessSummary> finished_;
  std::vector<ThreadSummary> finished_threads_;
  ProcessCounters reaped_totals_;
  int init_status_ = 0;
};

}  // namespace vmlab::os
