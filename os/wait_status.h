// wait(2)'s status word as Linux encodes it, written once: the exit code in bits 15..8, or the
// signal that killed the process in bits 6..0 with 0x80 when it dumped core. The kernel
// encodes it (exit, exit_group, fatal signals); reports decode it.
#pragma once

namespace vmlab::os {

inline constexpr int kWaitSignalMask = 0x7f;
inline constexpr int kWaitCoreDump = 0x80;
inline constexpr int kWaitExitShift = 8;
inline constexpr int kWaitExitMask = 0xff;

inline constexpr int exited_status(int code) {
  return (code & kWaitExitMask) << kWaitExitShift;
}
inline constexpr int signaled_status(int signo, bool core) {
  return signo | (core ? kWaitCoreDump : 0);
}

// The signal that ended the process, or 0 when it exited.
inline constexpr int terminating_signal(int status) {
  return status & kWaitSignalMask;
}
inline constexpr int exit_code(int status) {
  return (status >> kWaitExitShift) & kWaitExitMask;
}
inline constexpr bool core_dumped(int status) {
  return (status & kWaitCoreDump) != 0;
}
// What a shell reports for it ($?): the exit code, or 128 + the signal.
inline constexpr int shell_status(int status) {
  return terminating_signal(status) != 0 ? 128 + terminating_signal(status) : exit_code(status);
}

}  // namespace vmlab::os
