// Time values as system calls exchange them with user memory (x86-64 struct
// __kernel_timespec and __kernel_old_timeval), and their conversions to nanoseconds of the
// virtual clock.
#pragma once

#include <cstdint>
#include <optional>

namespace vmlab::os {

inline constexpr uint64_t kNsPerSecond = 1'000'000'000;
inline constexpr uint64_t kNsPerMilli = 1'000'000;
inline constexpr uint64_t kNsPerMicro = 1'000;
inline constexpr uint64_t kMicrosPerSecond = 1'000'000;

struct UserTimespec {
  int64_t sec, nsec;
};
struct UserTimeval {
  int64_t sec, usec;
};

inline UserTimespec to_timespec(uint64_t ns) {
  return {static_cast<int64_t>(ns / kNsPerSecond), static_cast<int64_t>(ns % kNsPerSecond)};
}
inline UserTimeval to_timeval(uint64_t ns) {
  return {static_cast<int64_t>(ns / kNsPerSecond),
          static_cast<int64_t>((ns % kNsPerSecond) / kNsPerMicro)};
}

// `now` + `ns`, saturated: a timeout too long to end never does.
inline uint64_t time_after(uint64_t now, uint64_t ns) {
  uint64_t at = 0;
  return __builtin_add_overflow(now, ns, &at) ? UINT64_MAX : at;
}

// The duration a timespec names, saturated at UINT64_MAX nanoseconds; nullopt when Linux's
// timespec64_valid rejects it (a negative field, nanoseconds of a second or more): EINVAL.
std::optional<uint64_t> duration_ns(const UserTimespec& ts);

}  // namespace vmlab::os
