#include "os/timers.h"

#include <algorithm>

namespace vmlab::os {

namespace {
constexpr int kIntervalSignals[kIntervalTimers] = {sig::kAlrm, sig::kVtalrm, sig::kProf};
}  // namespace

std::optional<uint32_t> Timer::fire(uint64_t now) {
  if (!armed() || now < expiry) return std::nullopt;
  if (interval == 0) {
    expiry = 0;
    return 0;
  }
  const uint64_t missed = (now - expiry) / interval;
  expiry += (missed + 1) * interval;
  return static_cast<uint32_t>(std::min<uint64_t>(missed, INT32_MAX));
}

std::vector<SigInfo> ProcessTimers::expire(uint64_t now, uint64_t cpu, int pid) {
  std::vector<SigInfo> out;
  for (int which = 0; which < kIntervalTimers; ++which) {
    const uint64_t clock = which == static_cast<int>(IntervalTimer::kReal) ? now : cpu;
    if (interval[which].fire(clock)) {
      SigInfo info;
      info.signo = kIntervalSignals[which];
      info.code = si_code::kKernel;  // Linux sends itimer signals as the kernel (SEND_SIG_PRIV)
      out.push_back(info);
    }
  }
  for (auto& [id, t] : posix) {
    const auto missed = t.timer.fire(t.clock == TimerClock::kMachine ? now : cpu);
    if (!missed || !t.notify) continue;
    t.overrun = *missed;
    SigInfo info;
    info.signo = t.signo;
    info.code = si_code::kTimer;
    info.pid = pid;
    info.timer_id = id;
    info.timer_overrun = *missed;
    info.value = t.value;
    out.push_back(info);
  }
  return out;
}

uint64_t ProcessTimers::next_machine_expiry() const {
  uint64_t next = UINT64_MAX;
  if (interval[0].armed()) next = interval[0].expiry;
  for (const auto& [id, t] : posix)
    if (t.clock == TimerClock::kMachine && t.timer.armed()) next = std::min(next, t.timer.expiry);
  return next;
}

uint64_t ProcessTimers::next_cpu_expiry() const {
  uint64_t next = UINT64_MAX;
  for (int which = 1; which < kIntervalTimers; ++which)
    if (interval[which].armed()) next = std::min(next, interval[which].expiry);
  for (const auto& [id, t] : posix)
    if (t.clock == TimerClock::kProcessCpu && t.timer.armed())
      next = std::min(next, t.timer.expiry);
  return next;
}

}  // namespace vmlab::os
