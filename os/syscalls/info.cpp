// Information and time: uname, sysinfo, getrandom, the clocks (virtual time derived from the
// instruction count), sleeps, times, getrusage.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

#include "mmu/random.h"
#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"
#include "os/syscalls/time_values.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kClockTicksPerSecond = 100;
constexpr uint64_t kMaxGetrandom = 33'554'431;    // getrandom(2): at most 32 MiB - 1 per call
constexpr unsigned kGrndFlags = 0x1 | 0x2 | 0x4;  // GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE

int64_t sys_uname(SyscallContext& c) {
  struct utsname u {};
  auto put = [](char* field, const std::string& value) {
    std::strncpy(field, value.c_str(), _UTSNAME_LENGTH - 1);
  };
  put(u.sysname, "Linux");
  put(u.nodename, c.kernel.config().hostname);
  put(u.release, "6.1.0-vmlab");
  put(u.version, "#1 SMP PREEMPT_DYNAMIC vmlab");
  put(u.machine, "x86_64");
  put(u.domainname, "(none)");
  return c.user().write_value(c.arg(0), u) ? 0 : -EFAULT;
}

int64_t sys_sysinfo(SyscallContext& c) {
  struct sysinfo info {};
  auto& frames = c.kernel.frames();
  info.uptime = static_cast<long>((c.kernel.now_ns() - c.kernel.config().epoch_ns) / kNsPerSecond);
  info.totalram = frames.total_frames();
  info.freeram = frames.free_frames();
  if (const SwapDevice* swap = c.kernel.reclaim().swap()) {
    info.totalswap = swap->slots();
    info.freeswap = swap->slots() - swap->used();
  }
  info.procs = static_cast<unsigned short>(c.kernel.tasks().all().size());
  info.mem_unit = mmu::kPageBytes;
  return c.user().write_value(c.arg(0), info) ? 0 : -EFAULT;
}

int64_t sys_getrandom(SyscallContext& c) {
  const uint64_t length = std::min<uint64_t>(c.arg(1), kMaxGetrandom);
  if ((c.arg(2) & ~uint64_t{kGrndFlags}) != 0) return -EINVAL;
  // Deterministic: each call continues the process's own seeded stream.
  mmu::SplitMix64 rng(c.kernel.config().seed * 31 + c.process.random_draws++ + c.process.pid());
  // Page by page, as Linux copies: a buffer that ends early gets the pages before the fault
  // (EFAULT if none), and a bad pointer fails before 32 MiB are generated.
  std::array<uint8_t, mmu::kPageBytes> chunk;
  uint64_t done = 0;
  while (done < length) {
    const uint64_t at = c.arg(0) + done;
    const uint64_t n =
        std::min<uint64_t>(length - done, chunk.size() - (at & mmu::kPageOffsetMask));
    rng.fill({chunk.data(), n});
    if (!c.user().write(at, {chunk.data(), n})) break;
    done += n;
  }
  return done > 0 || length == 0 ? static_cast<int64_t>(done) : -EFAULT;
}

// Every clock reads the same virtual time; MONOTONIC and BOOTTIME start at zero.
uint64_t clock_ns(Kernel& k, int clock) {
  const uint64_t now = k.now_ns();
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
      return now;
    default:
      return now - k.config().epoch_ns;
  }
}

bool known_clock(int clock) {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
      return true;
    default:
      return false;
  }
}

int64_t sys_clock_gettime(SyscallContext& c) {
  if (!known_clock(c.int_arg(0))) return -EINVAL;
  return c.user().write_value(c.arg(1), to_timespec(clock_ns(c.kernel, c.int_arg(0)))) ? 0
                                                                                       : -EFAULT;
}

int64_t sys_clock_getres(SyscallContext& c) {
  if (!known_clock(c.int_arg(0))) return -EINVAL;
  if (c.arg(1) == 0) return 0;
  return c.user().write_value(c.arg(1), UserTimespec{0, 1}) ? 0 : -EFAULT;
}

int64_t sys_gettimeofday(SyscallContext& c) {
  if (c.arg(0) != 0) {
    const uint64_t ns = c.kernel.now_ns();
    if (!c.user().write_value(c.arg(0), to_timeval(ns))) return -EFAULT;
  }
  if (c.arg(1) != 0 && !c.user().write_value(c.arg(1), uint64_t{0})) return -EFAULT;
  return 0;
}

int64_t sys_time(SyscallContext& c) {
  const int64_t seconds = static_cast<int64_t>(c.kernel.now_ns() / kNsPerSecond);
  if (c.arg(0) != 0 && !c.user().write_value(c.arg(0), seconds)) return -EFAULT;
  return seconds;
}

// A sleep blocks until the virtual clock reaches its end; when every process sleeps the
// scheduler skips time forward, so sleeping costs no host time.
int64_t sleep_until(SyscallContext& c, uint64_t wake_ns) {
  if (c.kernel.now_ns() >= wake_ns) return 0;
  c.block = true;
  c.wake_at_ns = wake_ns;
  return 0;
}

int64_t sys_nanosleep(SyscallContext& c) {
  BlockedCall& call = c.process.blocked_call();
  if (call.wake_at_ns != 0) return sleep_until(c, call.wake_at_ns);  // a retry
  UserTimespec req{};
  if (!c.user().read_value(c.arg(0), req)) return -EFAULT;
  const std::optional<uint64_t> amount = duration_ns(req);
  if (!amount) return -EINVAL;
  return sleep_until(c, time_after(c.kernel.now_ns(), *amount));
}

int64_t sys_clock_nanosleep(SyscallContext& c) {
  const int clock = c.int_arg(0);
  if (!known_clock(clock)) return -EINVAL;
  BlockedCall& call = c.process.blocked_call();
  if (call.wake_at_ns != 0) return sleep_until(c, call.wake_at_ns);
  UserTimespec req{};
  if (!c.user().read_value(c.arg(2), req)) return -EFAULT;
  const std::optional<uint64_t> amount = duration_ns(req);
  if (!amount) return -EINVAL;
  const bool absolute = (c.int_arg(1) & TIMER_ABSTIME) != 0;
  const uint64_t now = c.kernel.now_ns();
  const uint64_t clock_now = clock_ns(c.kernel, clock);
  const uint64_t wait = !absolute ? *amount : *amount > clock_now ? *amount - clock_now : 0;
  return sleep_until(c, time_after(now, wait));
}

int64_t sys_times(SyscallContext& c) {
  const uint64_t ticks =
      (c.kernel.now_ns() - c.kernel.config().epoch_ns) * kClockTicksPerSecond / kNsPerSecond;
  if (c.arg(0) != 0) {
    struct tms t {};
    t.tms_utime = static_cast<clock_t>(ticks);
    if (!c.user().write_value(c.arg(0), t)) return -EFAULT;
  }
  return static_cast<int64_t>(ticks);
}

int64_t sys_getrusage(SyscallContext& c) {
  struct rusage usage {};
  const ProcessCounters& counters = c.process.counters();
  usage.ru_minflt = static_cast<long>(counters.minor_faults);
  usage.ru_majflt = static_cast<long>(counters.major_faults);
  usage.ru_maxrss =
      static_cast<long>(c.process.space().stats().peak_resident * mmu::kPageBytes / 1024);
  return c.user().write_value(c.arg(1), usage) ? 0 : -EFAULT;
}

}  // namespace

void register_info_syscalls(SyscallTable& table) {
  table.add(SYS_uname, sys_uname);
  table.add(SYS_sysinfo, sys_sysinfo);
  table.add(SYS_getrandom, sys_getrandom);
  table.add(SYS_clock_gettime, sys_clock_gettime);
  table.add(SYS_clock_getres, sys_clock_getres);
  table.add(SYS_gettimeofday, sys_gettimeofday);
  table.add(SYS_time, sys_time);
  table.add(SYS_nanosleep, sys_nanosleep);
  table.add(SYS_clock_nanosleep, sys_clock_nanosleep);
  table.add(SYS_times, sys_times);
  table.add(SYS_getrusage, sys_getrusage);
}

}  // namespace vmlab::os
