#include "os/syscalls/time_values.h"

#include <limits>

namespace vmlab::os {

std::optional<uint64_t> duration_ns(const UserTimespec& ts) {
  if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= static_cast<int64_t>(kNsPerSecond))
    return std::nullopt;
  uint64_t ns = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(ts.sec), kNsPerSecond, &ns) ||
      __builtin_add_overflow(ns, static_cast<uint64_t>(ts.nsec), &ns))
    return std::numeric_limits<uint64_t>::max();
  return ns;
}

}  // namespace vmlab::os
