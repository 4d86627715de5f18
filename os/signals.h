// Linux x86-64 signal numbers, default actions, and a process's signal state.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace vmlab::os {

namespace sig {
inline constexpr int kHup = 1, kInt = 2, kQuit = 3, kIll = 4, kTrap = 5, kAbrt = 6, kBus = 7,
                     kFpe = 8, kKill = 9, kUsr1 = 10, kSegv = 11, kUsr2 = 12, kPipe = 13,
                     kAlrm = 14, kTerm = 15, kStkflt = 16, kChld = 17, kCont = 18, kStop = 19,
                     kTstp = 20, kTtin = 21, kTtou = 22, kUrg = 23, kXcpu = 24, kXfsz = 25,
                     kVtalrm = 26, kProf = 27, kWinch = 28, kIo = 29, kPwr = 30, kSys = 31;
inline constexpr int kMax = 64;  // _NSIG
}  // namespace sig

// si_code values (include/uapi/asm-generic/siginfo.h).
namespace si_code {
inline constexpr int kUser = 0;        // SI_USER: kill()
inline constexpr int kKernel = 0x80;   // SI_KERNEL
inline constexpr int kTkill = -6;      // SI_TKILL
inline constexpr int kTimer = -2;      // SI_TIMER: a POSIX timer expired
inline constexpr int kSegvMapErr = 1;  // address not mapped
inline constexpr int kSegvAccErr = 2;  // invalid permissions
inline constexpr int kIllOpc = 2;      // illegal opcode
inline constexpr int kFpeIntDiv = 1;   // integer divide by zero
inline constexpr int kBusAdrAln = 1;
inline constexpr int kBusAdrErr = 2;
inline constexpr int kTrapBrkpt = 1;
inline constexpr int kChldExited = 1, kChldKilled = 2, kChldDumped = 3;
}  // namespace si_code

// sa_flags bits.
inline constexpr uint64_t kSaSiginfo = 0x4;
inline constexpr uint64_t kSaOnstack = 0x0800'0000;
inline constexpr uint64_t kSaRestart = 0x1000'0000;
inline constexpr uint64_t kSaNodefer = 0x4000'0000;
inline constexpr uint64_t kSaResethand = 0x8000'0000;
inline constexpr uint64_t kSaRestorer = 0x0400'0000;
inline constexpr uint64_t kSigDfl = 0, kSigIgn = 1;

enum class DefaultAction : uint8_t { kTerminate, kCoreDump, kIgnore, kStop, kContinue };
DefaultAction default_action(int signo);
std::string signal_name(int signo);         // "SIGSEGV"
std::string signal_description(int signo);  // "Segmentation fault" (as strsignal)

constexpr uint64_t sig_bit(int signo) {
  return uint64_t{1} << (signo - 1);
}

// SIGKILL and SIGSTOP: no mask ever holds them.
inline constexpr uint64_t kUnblockableSignals = sig_bit(sig::kKill) | sig_bit(sig::kStop);

struct SigAction {
  uint64_t handler = kSigDfl;
  uint64_t flags = 0;
  uint64_t restorer = 0;
  uint64_t mask = 0;
};

struct SigInfo {
  int signo = 0;
  int code = 0;
  int errno_value = 0;
  uint64_t address = 0;  // SIGSEGV/SIGBUS/SIGILL/SIGFPE: the faulting address
  int pid = 0;           // sender, or the child for SIGCHLD
  uint32_t uid = 0;
  int status = 0;              // SIGCHLD: exit code or signal
  uint64_t rip = 0;            // not part of siginfo_t: where a fault happened, for reports
  uint32_t trapno = 0;         // not part of siginfo_t: the exception vector (sigcontext.trapno)
  uint32_t error_code = 0;     // sigcontext.err
  int timer_id = 0;            // SI_TIMER: si_timerid
  uint32_t timer_overrun = 0;  // SI_TIMER: si_overrun
  uint64_t value = 0;          // SI_TIMER: si_value (sigev_value)
};

using SignalActions = std::array<SigAction, sig::kMax + 1>;

// Signals sent but not delivered yet: a set, and the siginfo of each in arrival order (standard
// signals do not queue: one entry per number).
struct PendingSignals {
  uint64_t mask = 0;
  std::deque<SigInfo> queue;

  void add(const SigInfo& info);
  // Removes `signo` and returns its siginfo (a bare one when none was queued).
  SigInfo take(int signo);
  void discard(int signo);
};

// A task's signal state. The dispositions are shared by the tasks created with CLONE_SIGHAND
// (every thread of a process); the mask, the signals sent to this thread and the alternate
// stack are its own. Signals sent to the whole process wait in its ThreadGroup (process.h).
struct SignalState {
  std::shared_ptr<SignalActions> actions = std::make_shared<SignalActions>();
  SigAction& action(int signo) { return (*actions)[signo]; }
  const SigAction& action(int signo) const { return (*actions)[signo]; }
  uint64_t blocked = 0;
  PendingSignals pending;  // sent to this thread (tgkill, a fault of its own)
  uint64_t altstack_sp = 0;
  uint64_t altstack_size = 0;
  bool altstack_disabled = true;
  // rt_sigsuspend, ppoll, pselect6 wait with a temporary mask. The mask it replaced comes back
  // when the call returns, or, when a handler interrupts the call, when that handler returns
  // (its frame saves this mask instead of the temporary one), as Linux's saved_sigmask.
  uint64_t saved_mask = 0;
  bool has_saved_mask = false;

  void set_temporary_mask(uint64_t mask) {
    saved_mask = blocked;
    has_saved_mask = true;
    blocked = mask & ~kUnblockableSignals;
  }
  // The call returns normally: the old mask is back at once.
  void restore_saved_mask() {
    if (has_saved_mask) blocked = saved_mask;
    has_saved_mask = false;
  }
  // A handler's frame is being built: the mask its sigreturn restores.
  uint64_t take_mask_to_save() {
    const uint64_t mask = has_saved_mask ? saved_mask : blocked;
    has_saved_mask = false;
    return mask;
  }
};

}  // namespace vmlab::os
