// The kernel's side of timers (os/timers.h): firing them between time slices, and how far the
// next one is, for the scheduler's slice length and its skip over idle time.
#include <algorithm>

#include "os/kernel.h"

namespace vmlab::os {

uint64_t Kernel::process_cpu_ns(Process& p) const {
  // Every thread's instructions: the ones that ended are in the first thread's total.
  const Process* leader = tasks_.find(p.tgid());
  uint64_t instructions = leader == nullptr ? 0 : leader->instructions_at_exit;
  for (int tid : p.group().tids)
    if (Process* t = tasks_.find(tid); t != nullptr && t->has_cpu())
      instructions += t->cpu().instructions();
  return instructions * config_.ns_per_instruction;
}

// Timers belong to processes: their first thread keeps them while any thread lives.
static bool has_live_timers(const Process& p) {
  return p.is_leader() && !p.group().tids.empty() && !p.group().exiting;
}

void Kernel::fire_timers() {
  const uint64_t now = now_ns();
  for (const auto& [pid, p] : tasks_.all()) {
    if (!has_live_timers(*p)) continue;
    for (const SigInfo& info : p->timers.expire(now, process_cpu_ns(*p), pid))
      send_signal(*p, info);
  }
}

uint64_t Kernel::next_timer_wake_ns() {
  uint64_t next = UINT64_MAX;
  for (const auto& [pid, p] : tasks_.all())
    if (has_live_timers(*p)) next = std::min(next, p->timers.next_machine_expiry());
  return next;
}

uint64_t Kernel::instructions_until_timer(Process& running) {
  auto instructions_to = [&](uint64_t at, uint64_t now) -> uint64_t {
    if (at == UINT64_MAX) return UINT64_MAX;
    if (at <= now) return 1;
    return (at - now + config_.ns_per_instruction - 1) / config_.ns_per_instruction;
  };
  return std::min(
      instructions_to(next_timer_wake_ns(), now_ns()),
      instructions_to(leader_of(running).timers.next_cpu_expiry(), process_cpu_ns(running)));
}

}  // namespace vmlab::os
