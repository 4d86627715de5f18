#include "emulator/strace_format/syscall_restart.h"

#include <linux/futex.h>
#include <sys/syscall.h>

#include <unordered_map>

namespace vmlab::emulator {

namespace {

enum class Restart : uint8_t { kSys, kNoHand, kRestartBlock, kPollTimeout, kFutexTimeout };

// Linux's return value for each call that can wait (the -ERESTART* of its implementation).
const std::unordered_map<int, Restart>& table() {
  static const std::unordered_map<int, Restart> restart = {
      {SYS_read, Restart::kSys},
      {SYS_write, Restart::kSys},
      {SYS_readv, Restart::kSys},
      {SYS_writev, Restart::kSys},
      {SYS_pread64, Restart::kSys},
      {SYS_pwrite64, Restart::kSys},
      {SYS_wait4, Restart::kSys},
      {SYS_waitid, Restart::kSys},
      {SYS_accept, Restart::kSys},
      {SYS_accept4, Restart::kSys},
      {SYS_connect, Restart::kSys},
      {SYS_recvfrom, Restart::kSys},
      {SYS_sendto, Restart::kSys},
      {SYS_recvmsg, Restart::kSys},
      {SYS_sendmsg, Restart::kSys},
      {SYS_open, Restart::kSys},
      {SYS_openat, Restart::kSys},
      {SYS_flock, Restart::kSys},
      {SYS_fcntl, Restart::kSys},
      {SYS_sendfile, Restart::kSys},
      {SYS_pause, Restart::kNoHand},
      {SYS_rt_sigsuspend, Restart::kNoHand},
      {SYS_select, Restart::kNoHand},
      {SYS_pselect6, Restart::kNoHand},
      {SYS_ppoll, Restart::kNoHand},
      {SYS_epoll_wait, Restart::kNoHand},
      {SYS_epoll_pwait, Restart::kNoHand},
      {SYS_nanosleep, Restart::kRestartBlock},
      {SYS_clock_nanosleep, Restart::kRestartBlock},
      {SYS_poll, Restart::kPollTimeout},
      {SYS_futex, Restart::kFutexTimeout},
  };
  return restart;
}

constexpr const char* kRestartSys = "? ERESTARTSYS (To be restarted if SA_RESTART is set)";
constexpr const char* kNoHand = "? ERESTARTNOHAND (To be restarted if no handler)";
constexpr const char* kRestartBlock = "? ERESTART_RESTARTBLOCK (Interrupted by signal)";

bool futex_waits(uint64_t op) {
  const uint64_t cmd = op & FUTEX_CMD_MASK;
  return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET;
}

}  // namespace

std::optional<std::string> interrupted_result(int number, const uint64_t (&args)[6]) {
  const auto it = table().find(number);
  if (it == table().end()) return std::nullopt;
  switch (it->second) {
    case Restart::kSys:
      return kRestartSys;
    case Restart::kNoHand:
      return kNoHand;
    case Restart::kRestartBlock:
      return kRestartBlock;
    case Restart::kPollTimeout:
      // poll keeps a finite timeout in a restart block; an infinite one needs none.
      return static_cast<int32_t>(args[2]) < 0 ? kNoHand : kRestartBlock;
    case Restart::kFutexTimeout:
      return futex_waits(args[1]) && args[3] != 0 ? kRestartBlock : kRestartSys;
  }
  return std::nullopt;
}

}  // namespace vmlab::emulator
