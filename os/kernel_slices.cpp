// The scheduler loop: each turn a CPU runs one time slice of the task the scheduler picked
// (os/scheduler.h), in pieces when the timeline samples the machine inside it (os/ticker.h);
// with nothing to run, the clock skips to the next wake-up. The analogue of Linux's schedule()
// loop (kernel/sched/core.c) and its idle task (kernel/sched/idle.c).
#include <algorithm>
#include <cstdio>

#include "os/kernel.h"

namespace vmlab::os {

RunEnd Kernel::run(uint64_t budget_instructions) {
  paused_ = false;
  const uint64_t pause_at =
      budget_instructions == 0 ? UINT64_MAX : instructions() + budget_instructions;
  while (true) {
    if (const auto end = before_turn()) return *end;
    Process* p = scheduler_.next_turn();
    if (p == nullptr) {
      if (const auto end = idle()) return *end;
      continue;
    }
    if (!deliver_signals(*p)) continue;  // the signal ended the process
    // Its signals were discarded (ignored): the call it waits in goes on waiting.
    if (p->state() == ProcessState::kBlocked) continue;
    switch_to(*p);
    if (const auto end = run_slice(*p, pause_at)) return *end;
  }
}

void Kernel::pause() {
  paused_ = true;
  if (current_ != nullptr && current_->has_cpu()) current_->cpu().request_stop();
}

std::optional<RunEnd> Kernel::before_turn() {
  reap_engines();
  fire_timers();
  if (paused_) return RunEnd::kPaused;
  if (stop_flag_ != nullptr && stop_flag_->load(std::memory_order_relaxed) != 0)
    return RunEnd::kInterrupted;
  fire_due_tick();
  if (paused_) return RunEnd::kPaused;
  if (between_slices_) between_slices_();
  return std::nullopt;
}

std::optional<RunEnd> Kernel::idle() {
  if (scheduler_.empty()) return RunEnd::kAllExited;
  // Everyone waits. Sleepers wake when virtual time reaches them: skip ahead (stopping at a
  // time tick on the way, so that it samples the machine on time).
  uint64_t wake = std::min(scheduler_.earliest_wake_ns(), next_timer_wake_ns());
  if (wake == UINT64_MAX) return RunEnd::kDeadlock;
  if (ticker_ && ticker_->time_based())
    wake = std::min(wake, config_.epoch_ns + ticker_->deadline_ns());
  const uint64_t now = now_ns();
  if (wake > now) cycles_.idle += wake - now;
  return std::nullopt;
}

void Kernel::switch_to(Process& process) {
  if (scheduler_.switch_to(process)) {
    charge(&process, CycleKind::kContextSwitch, cycle_cost::kContextSwitch);
    KernelEvents::raise(events_.process, ProcessEvent{process, ProcessEvent::Kind::kSwitchIn, 0});
  }
  current_ = &process;
}

std::optional<RunEnd> Kernel::run_slice(Process& p, uint64_t pause_at) {
  // The machine's limit ends the run and a caller's budget pauses it, both exactly. A tick
  // ends a piece of the slice at the first block boundary at or after its point (stopping
  // inside a block would cost Unicorn a flush of all its translated code), samples, and the
  // process runs the rest of its quantum: the slice ends where it would have without ticks.
  const uint64_t limit = config_.max_instructions == 0 ? UINT64_MAX : config_.max_instructions;
  uint64_t quantum_left = config_.quantum;
  while (true) {
    const uint64_t done = instructions();
    if (done >= limit) return RunEnd::kInstructionLimit;
    if (done >= pause_at) return RunEnd::kPaused;
    const uint64_t tick_at =
        ticker_ ? done + ticker_->instructions_until(done, uptime_ns(), config_.ns_per_instruction)
                : UINT64_MAX;
    const uint64_t exact_at = std::min(limit, pause_at);
    uint64_t budget = quantum_left;
    CpuPort::SliceEnd end = CpuPort::SliceEnd::kAtBlock;
    bool cut_by_tick = false;
    if (exact_at - done <= budget) {
      budget = exact_at - done;  // a tick on the way is taken when the slice ends
      end = CpuPort::SliceEnd::kExact;
    } else if (tick_at - done < budget) {
      budget = tick_at - done;
      cut_by_tick = true;
    }
    // A timer due within the slice ends it there (at a block boundary), so it fires on time.
    const uint64_t timer_budget = std::max<uint64_t>(1, instructions_until_timer(p));
    if (timer_budget < budget) {
      budget = timer_budget;
      cut_by_tick = false;
    }
    tick_stop_requested_ = false;
    CpuPort& cpu = p.cpu();  // stays alive until reap_engines, even if the slice execs or exits
    running_ = &cpu;
    running_from_ = cpu.instructions();
    const StopReason reason = cpu.run(budget, end);
    const uint64_t ran = cpu.instructions() - running_from_;
    instructions_before_slice_ += ran;
    running_ = nullptr;
    scheduler_.count_instructions(ran);
    if (reason == StopReason::kHostError) {
      std::fprintf(stderr, "vmlab: internal error in pid %d (%s): %s\n", p.pid(), p.comm.c_str(),
                   cpu.error().c_str());
      return RunEnd::kHostError;
    }
    if (config_.max_instructions != 0 && done + ran >= config_.max_instructions) {
      reap_engines();
      return RunEnd::kInstructionLimit;
    }
    sample_fault_rate();
    const bool stopped_for_tick = (cut_by_tick && reason == StopReason::kBudgetExhausted) ||
                                  (tick_stop_requested_ && reason == StopReason::kKernelRequest);
    tick_stop_requested_ = false;
    if (!fire_due_tick()) return std::nullopt;
    if (!stopped_for_tick || paused_ || !resumable(p) || ran >= quantum_left) return std::nullopt;
    quantum_left -= ran;
  }
}

bool Kernel::resumable(const Process& p) const {
  return current_ == &p && p.state() == ProcessState::kRunnable && !p.exiting && p.has_cpu() &&
         p.vfork_child == 0 && !p.has_deliverable_signal();
}

void Kernel::set_ticker(TickSchedule schedule, std::function<void()> on_tick) {
  ticker_ = std::make_unique<Ticker>(schedule, std::move(on_tick), instructions(), uptime_ns());
}

bool Kernel::fire_due_tick() {
  return ticker_ && ticker_->fire_if_due(instructions(), uptime_ns());
}

}  // namespace vmlab::os
