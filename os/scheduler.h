// The run queue and the modelled CPUs' turns: which task runs next, on which CPU, and what each
// CPU did. The analogue of Linux's kernel/sched/ (core.c's pick_next_task and context_switch,
// select_task_rq for a new task's CPU), reduced to one deterministic policy: the CPUs take
// turns in a fixed order, and each runs its own tasks round robin. The loop that runs the
// chosen task's slices is the kernel's (os/kernel_slices.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "os/process_table.h"
#include "os/tlb_control.h"

namespace vmlab::os {

class Scheduler {
 public:
  // What each modelled CPU did.
  struct CpuCounters {
    uint64_t instructions = 0;
    uint64_t context_switches = 0;
    uint64_t slices = 0;
    int last_task = 0;  // the task that ran here last (its address space may still be loaded)
  };

  // `resume_blocked` retries the call a blocked task waits in when its turn comes: true when
  // the task can run now.
  Scheduler(const ProcessTable& tasks, TlbControl& tlb, size_t cpus,
            std::function<bool(Process&)> resume_blocked);

  void enqueue(int pid) { run_queue_.push_back(pid); }
  // No task is left to run, or wait.
  bool empty() const { return run_queue_.empty(); }
  void clear() { run_queue_.clear(); }
  // The CPU a new task runs on: the one with the fewest live tasks (the first such).
  size_t least_loaded_cpu(uint64_t affinity = ~uint64_t{0}) const;
  // The CPUs take turns, each running the next task of its own; one without a runnable task
  // stays idle this round. The kernel works on the CPU whose turn it is (TlbControl::set_cpu).
  // Null when no CPU has a task that can run.
  Process* next_turn();
  // When the first sleeper in the run queue wakes (UINT64_MAX: nobody sleeps).
  uint64_t earliest_wake_ns() const;
  // `task` gets the current CPU (its address space, its model). True for a context switch:
  // another task ran on this CPU last.
  bool switch_to(Process& task);
  // `retired` instructions ran on the current CPU.
  void count_instructions(uint64_t retired) { cpus_[tlb_.cpu()].instructions += retired; }

  const std::vector<CpuCounters>& cpu_counters() const { return cpus_; }
  uint64_t context_switches() const { return context_switches_; }

 private:
  // The next task of `cpu`'s share of the run queue that can run, or null.
  Process* pick_next(size_t cpu);

  const ProcessTable& tasks_;
  TlbControl& tlb_;
  std::function<bool(Process&)> resume_blocked_;
  std::vector<int> run_queue_;
  std::vector<int> turn_;  // pick_next's candidates (pick_next does not nest)
  std::vector<CpuCounters> cpus_;
  size_t next_cpu_ = 0;  // the CPU whose turn comes next (round robin)
  uint64_t context_switches_ = 0;
};

}  // namespace vmlab::os
