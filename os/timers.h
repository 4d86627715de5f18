// A process's timers on the virtual clock: the interval timers of setitimer(2) and alarm(2),
// and the POSIX timers of timer_create(2). ITIMER_REAL and POSIX timers count the machine's
// time (CLOCK_REALTIME and CLOCK_MONOTONIC advance together in vmlab); ITIMER_VIRTUAL and
// ITIMER_PROF count the process's own instructions (vmlab models no system time, so PROF runs
// like VIRTUAL). Timers are not inherited by fork; execve keeps the interval timers and
// deletes the POSIX ones, as Linux does.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "os/signals.h"

namespace vmlab::os {

// An armed timer: when it next expires (nanoseconds on its clock; 0 = disarmed) and how often
// it repeats (0 = once).
struct Timer {
  uint64_t expiry = 0;
  uint64_t interval = 0;
  bool armed() const { return expiry != 0; }
  // Time left until expiry at `now` (at least 1 ns while armed), 0 when disarmed.
  uint64_t left(uint64_t now) const { return armed() ? (expiry > now ? expiry - now : 1) : 0; }
  // Fires it if due at `now`: re-armed one interval on (counting the periods it missed) or
  // disarmed. Returns the expirations missed beyond the first, or nullopt if not due.
  std::optional<uint32_t> fire(uint64_t now);
};

enum class TimerClock : uint8_t { kMachine, kProcessCpu };

struct PosixTimer {
  TimerClock clock = TimerClock::kMachine;
  bool wall_clock = false;  // CLOCK_REALTIME: absolute times count from 1970, not from boot
  Timer timer;
  bool notify = true;  // SIGEV_SIGNAL (false: SIGEV_NONE)
  int signo = sig::kAlrm;
  uint64_t value = 0;    // sigev_value, delivered as si_value
  uint32_t overrun = 0;  // timer_getoverrun: of the last expiration delivered
};

// setitimer's "which".
enum class IntervalTimer : uint8_t { kReal = 0, kVirtual = 1, kProf = 2 };
inline constexpr int kIntervalTimers = 3;

struct ProcessTimers {
  Timer interval[kIntervalTimers];  // ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF
  std::map<int, PosixTimer> posix;  // by timer id
  int next_id = 0;

  // The signals due at machine time `now` and process CPU time `cpu`, timers re-armed.
  std::vector<SigInfo> expire(uint64_t now, uint64_t cpu, int pid);
  // The earliest expiry on each clock, or UINT64_MAX.
  uint64_t next_machine_expiry() const;
  uint64_t next_cpu_expiry() const;
};

}  // namespace vmlab::os
