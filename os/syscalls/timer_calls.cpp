// Timer system calls on the virtual clock (os/timers.h): alarm, setitimer, getitimer, and the
// POSIX timers timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete.
#include <sys/syscall.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <optional>

#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint64_t kNsPerMicro = 1'000;
constexpr uint64_t kHalfSecondNs = kNsPerSecond / 2;
constexpr int kMaxPosixTimers = 1024;

struct UserTimeval {
  int64_t sec, usec;
};
struct UserItimerval {
  UserTimeval interval, value;
};
struct UserTimespec {
  int64_t sec, nsec;
};
struct UserItimerspec {
  UserTimespec interval, value;
};
// The head of struct sigevent (x86-64): sigev_value, sigev_signo, sigev_notify, then the
// thread id (SIGEV_THREAD_ID).
struct UserSigevent {
  uint64_t value;
  int32_t signo;
  int32_t notify;
  int32_t thread_id;
};

std::optional<uint64_t> from_timeval(const UserTimeval& t) {
  if (t.sec < 0 || t.usec < 0 || t.usec >= static_cast<int64_t>(kNsPerSecond / kNsPerMicro))
    return std::nullopt;
  return static_cast<uint64_t>(t.sec) * kNsPerSecond + static_cast<uint64_t>(t.usec) * kNsPerMicro;
}
std::optional<uint64_t> from_timespec(const UserTimespec& t) {
  if (t.sec < 0 || t.nsec < 0 || t.nsec >= static_cast<int64_t>(kNsPerSecond)) return std::nullopt;
  return static_cast<uint64_t>(t.sec) * kNsPerSecond + static_cast<uint64_t>(t.nsec);
}
UserTimeval to_timeval(uint64_t ns) {
  // Linux rounds a timer's remaining time up to whole microseconds.
  const uint64_t us = (ns + kNsPerMicro - 1) / kNsPerMicro;
  return {static_cast<int64_t>(us / (kNsPerSecond / kNsPerMicro)),
          static_cast<int64_t>(us % (kNsPerSecond / kNsPerMicro))};
}
UserTimespec to_timespec(uint64_t ns) {
  return {static_cast<int64_t>(ns / kNsPerSecond), static_cast<int64_t>(ns % kNsPerSecond)};
}

// The current time on an interval timer's clock.
uint64_t clock_of(SyscallContext& c, int which) {
  return which == static_cast<int>(IntervalTimer::kReal) ? c.kernel.now_ns()
                                                         : c.kernel.process_cpu_ns(c.process);
}

UserItimerval current(SyscallContext& c, int which) {
  const Timer& t = c.kernel.leader_of(c.process).timers.interval[which];
  return {to_timeval(t.interval), to_timeval(t.left(clock_of(c, which)))};
}

// Arms (or, with a zero value, disarms) interval timer `which` `value` ns from now.
void arm(SyscallContext& c, int which, uint64_t value, uint64_t interval) {
  Timer& t = c.kernel.leader_of(c.process).timers.interval[which];
  t.expiry = value == 0 ? 0 : clock_of(c, which) + value;
  t.interval = value == 0 ? 0 : interval;
}

int64_t sys_getitimer(SyscallContext& c) {
  const int which = c.int_arg(0);
  if (which < 0 || which >= kIntervalTimers) return -EINVAL;
  return c.user().write_value(c.arg(1), current(c, which)) ? 0 : -EFAULT;
}

int64_t sys_setitimer(SyscallContext& c) {
  const int which = c.int_arg(0);
  if (which < 0 || which >= kIntervalTimers) return -EINVAL;
  UserItimerval given{};
  if (c.arg(1) != 0 && !c.user().read_value(c.arg(1), given)) return -EFAULT;
  const auto value = from_timeval(given.value), interval = from_timeval(given.interval);
  if (!value || !interval) return -EINVAL;
  const UserItimerval old = current(c, which);
  if (c.arg(2) != 0 && !c.user().write_value(c.arg(2), old)) return -EFAULT;
  arm(c, which, *value, *interval);
  return 0;
}

// alarm(seconds): the seconds left on the previous alarm, rounded to the nearest (at least 1).
int64_t sys_alarm(SyscallContext& c) {
  const int real = static_cast<int>(IntervalTimer::kReal);
  const uint64_t left = c.kernel.leader_of(c.process).timers.interval[real].left(c.kernel.now_ns());
  uint64_t previous = (left + kHalfSecondNs) / kNsPerSecond;
  if (left != 0 && previous == 0) previous = 1;
  arm(c, real, static_cast<uint64_t>(static_cast<uint32_t>(c.arg(0))) * kNsPerSecond, 0);
  return static_cast<int64_t>(previous);
}

PosixTimer* posix_timer(SyscallContext& c, int id) {
  auto it = c.kernel.leader_of(c.process).timers.posix.find(id);
  return it == c.kernel.leader_of(c.process).timers.posix.end() ? nullptr : &it->second;
}

uint64_t posix_now(SyscallContext& c, const PosixTimer& t) {
  return t.clock == TimerClock::kMachine ? c.kernel.now_ns() : c.kernel.process_cpu_ns(c.process);
}

int64_t sys_timer_create(SyscallContext& c) {
  const auto clock = static_cast<clockid_t>(c.int_arg(0));
  PosixTimer t;
  if (clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC || clock == CLOCK_BOOTTIME) {
    t.clock = TimerClock::kMachine;
    t.wall_clock = clock == CLOCK_REALTIME;
  } else if (clock == CLOCK_PROCESS_CPUTIME_ID) {
    t.clock = TimerClock::kProcessCpu;
  } else {
    return -EINVAL;
  }
  ProcessTimers& timers = c.kernel.leader_of(c.process).timers;
  if (timers.posix.size() >= kMaxPosixTimers) return -EAGAIN;
  const int id = timers.next_id;
  if (c.arg(1) == 0) {
    t.value = static_cast<uint64_t>(id);  // no sigevent: SIGALRM carrying the timer's id
  } else {
    UserSigevent ev{};
    if (!c.user().read_value(c.arg(1), ev)) return -EFAULT;
    // Without threads, SIGEV_THREAD_ID may only name the process itself.
    const bool to_self = ev.notify == SIGEV_THREAD_ID && ev.thread_id == c.process.pid();
    if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && !to_self) return -EINVAL;
    if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > sig::kMax)) return -EINVAL;
    t.notify = ev.notify != SIGEV_NONE;
    t.signo = ev.signo;
    t.value = ev.value;
  }
  if (!c.user().write_value(c.arg(2), static_cast<int32_t>(id))) return -EFAULT;
  timers.posix.emplace(id, t);
  ++timers.next_id;
  return 0;
}

UserItimerspec posix_current(SyscallContext& c, const PosixTimer& t) {
  return {to_timespec(t.timer.interval), to_timespec(t.timer.left(posix_now(c, t)))};
}

int64_t sys_timer_settime(SyscallContext& c) {
  PosixTimer* t = posix_timer(c, c.int_arg(0));
  if (t == nullptr) return -EINVAL;
  UserItimerspec given{};
  if (!c.user().read_value(c.arg(2), given)) return -EFAULT;
  const auto value = from_timespec(given.value), interval = from_timespec(given.interval);
  if (!value || !interval) return -EINVAL;
  if (c.arg(3) != 0 && !c.user().write_value(c.arg(3), posix_current(c, *t))) return -EFAULT;
  const uint64_t now = posix_now(c, *t);
  uint64_t delay = *value;
  if ((c.int_arg(1) & TIMER_ABSTIME) != 0) {
    // The time the timer's own clock shows now: the wall clock, or time since boot.
    const uint64_t clock_now = t->clock == TimerClock::kProcessCpu || t->wall_clock
                                   ? now
                                   : now - c.kernel.config().epoch_ns;
    delay = *value > clock_now ? *value - clock_now : 0;
  }
  t->timer.expiry = *value == 0 ? 0 : std::max<uint64_t>(now + delay, 1);
  t->timer.interval = *value == 0 ? 0 : *interval;
  return 0;
}

int64_t sys_timer_gettime(SyscallContext& c) {
  const PosixTimer* t = posix_timer(c, c.int_arg(0));
  if (t == nullptr) return -EINVAL;
  return c.user().write_value(c.arg(1), posix_current(c, *t)) ? 0 : -EFAULT;
}

int64_t sys_timer_getoverrun(SyscallContext& c) {
  const PosixTimer* t = posix_timer(c, c.int_arg(0));
  return t == nullptr ? -EINVAL : static_cast<int64_t>(t->overrun);
}

int64_t sys_timer_delete(SyscallContext& c) {
  return c.kernel.leader_of(c.process).timers.posix.erase(c.int_arg(0)) == 1 ? 0 : -EINVAL;
}

}  // namespace

void register_timer_syscalls(SyscallTable& table) {
  table.add(SYS_alarm, sys_alarm);
  table.add(SYS_getitimer, sys_getitimer);
  table.add(SYS_setitimer, sys_setitimer);
  table.add(SYS_timer_create, sys_timer_create);
  table.add(SYS_timer_settime, sys_timer_settime);
  table.add(SYS_timer_gettime, sys_timer_gettime);
  table.add(SYS_timer_getoverrun, sys_timer_getoverrun);
  table.add(SYS_timer_delete, sys_timer_delete);
}

}  // namespace vmlab::os
