// The kernel's side of timers (os/timers.h): firing them between time slices, and how far the
// next one is, for the scheduler's slice length and its skip over idle time.
#include <algorithm>

#include "os/kernel.h"

namespace vmlab::os {

uint64_t Kernel::process_cpu_ns(Process& p) const {
  const uint64_t instructions = p.has_cpu() ? p.cpu().instructions() : p.instructions_at_exit;
  return instructions * config_.ns_per_instruction;
}

void Kernel::fire_timers() {
  const uint64_t now = now_ns();
  for (int pid : run_queue_) {
    Process* p = find(pid);
    if (p == nullptr || p->state() == ProcessState::kZombie || p->exiting) continue;
    for (const SigInfo& info : p->timers.expire(now, process_cpu_ns(*p), pid))
      send_signal(*p, info);
  }
}

uint64_t Kernel::next_timer_wake_ns() {
  uint64_t next = UINT64_MAX;
  for (int pid : run_queue_)
    if (const Process* p = find(pid); p != nullptr && p->state() != ProcessState::kZombie)
      next = std::min(next, p->timers.next_machine_expiry());
  return next;
}

uint64_t Kernel::instructions_until_timer(Process& running) {
  auto instructions_to = [&](uint64_t at, uint64_t now) -> uint64_t {
    if (at == UINT64_MAX) return UINT64_MAX;
    if (at <= now) return 1;
    return (at - now + config_.ns_per_instruction - 1) / config_.ns_per_instruction;
  };
  return std::min(instructions_to(next_timer_wake_ns(), now_ns()),
                  instructions_to(running.timers.next_cpu_expiry(), process_cpu_ns(running)));
}

}  // namespace vmlab::os
