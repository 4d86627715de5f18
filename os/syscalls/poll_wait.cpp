#include "os/syscalls/poll_wait.h"

#include <cerrno>

#include "os/kernel.h"
#include "os/syscalls/time_values.h"

namespace vmlab::os::poll_wait {

namespace {

constexpr uint64_t kSigsetBytes = 8;  // the kernel's sigset_t on x86-64

int64_t saturated_seconds(int64_t seconds, int64_t more) {
  int64_t sum = 0;
  return __builtin_add_overflow(seconds, more, &sum) ? INT64_MAX : sum;
}

}  // namespace

Deadline Deadline::after(const SyscallContext& c, uint64_t ns) {
  if (ns == 0) return Deadline(Kind::kImmediate, 0);
  return Deadline(Kind::kAt, time_after(c.kernel.now_ns(), ns));
}

Deadline Deadline::of_blocked_call(SyscallContext& c) {
  const uint64_t at = c.process.blocked_call().wake_at_ns;
  return at == 0 ? forever() : Deadline(Kind::kAt, at);
}

bool Deadline::passed(uint64_t now_ns) const {
  return kind_ == Kind::kImmediate || (kind_ == Kind::kAt && now_ns >= at_ns_);
}

std::optional<uint64_t> Deadline::remaining(uint64_t now_ns) const {
  if (kind_ != Kind::kAt) return std::nullopt;
  return at_ns_ > now_ns ? at_ns_ - now_ns : 0;
}

void Deadline::block(SyscallContext& c) const {
  c.block = true;
  c.wake_at_ns = kind_ == Kind::kAt ? at_ns_ : 0;
}

int64_t read_timeout(SyscallContext& c, uint64_t address, TimeFormat format, Deadline* out) {
  *out = Deadline::forever();
  if (address == 0) return 0;
  UserTimespec ts{};
  if (format == TimeFormat::kTimespec) {
    if (!c.user().read_value(address, ts)) return -EFAULT;
  } else {
    UserTimeval tv{};
    if (!c.user().read_value(address, tv)) return -EFAULT;
    const int64_t micros = static_cast<int64_t>(kMicrosPerSecond);
    ts = {saturated_seconds(tv.sec, tv.usec / micros),
          (tv.usec % micros) * static_cast<int64_t>(kNsPerMicro)};
  }
  const std::optional<uint64_t> ns = duration_ns(ts);
  if (!ns) return -EINVAL;
  *out = Deadline::after(c, *ns);
  return 0;
}

int64_t set_temporary_mask(SyscallContext& c, uint64_t address, uint64_t size) {
  if (address == 0) return 0;
  if (size != kSigsetBytes) return -EINVAL;
  uint64_t mask = 0;
  if (!c.user().read_value(address, mask)) return -EFAULT;
  c.process.signals().set_temporary_mask(mask);
  return 0;
}

void write_time_left(SyscallContext& c, const Deadline& deadline, uint64_t address,
                     TimeFormat format) {
  const std::optional<uint64_t> left = deadline.remaining(c.kernel.now_ns());
  if (address == 0 || !left) return;
  if (format == TimeFormat::kTimespec)
    c.user().write_value(address, to_timespec(*left));
  else
    c.user().write_value(address, to_timeval(*left));
}

int64_t finish(SyscallContext& c, const Deadline& deadline, int64_t result, uint64_t address,
               TimeFormat format) {
  if (c.block) return result;
  c.process.signals().restore_saved_mask();
  write_time_left(c, deadline, address, format);
  return result;
}

}  // namespace vmlab::os::poll_wait
