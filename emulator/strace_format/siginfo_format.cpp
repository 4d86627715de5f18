#include "emulator/strace_format/siginfo_format.h"

#include <initializer_list>

#include "emulator/strace_format/strace_text.h"
#include "emulator/strace_format/syscall_flags.h"
#include "emulator/strace_format/syscall_format.h"

namespace vmlab::emulator {

namespace {

namespace sig = os::sig;

// si_code values of any signal (include/uapi/asm-generic/siginfo.h): a sender's or the kernel's.
struct GenericCode {
  int code;
  const char* name;
};
constexpr GenericCode kGenericCodes[] = {
    {0, "SI_USER"},      {0x80, "SI_KERNEL"}, {-1, "SI_QUEUE"}, {-2, "SI_TIMER"},
    {-3, "SI_MESGQ"},    {-4, "SI_ASYNCIO"},  {-5, "SI_SIGIO"}, {-6, "SI_TKILL"},
    {-7, "SI_DETHREAD"}, {-60, "SI_ASYNCNL"},
};

// Codes the kernel gives one signal, numbered from 1.
struct SignalCodes {
  int signo;
  std::initializer_list<const char*> names;
};
const SignalCodes kSignalCodes[] = {
    {sig::kIll,
     {"ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG",
      "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR"}},
    {sig::kFpe,
     {"FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES",
      "FPE_FLTINV", "FPE_FLTSUB", "FPE_FLTUNK", "FPE_CONDTRAP"}},
    {sig::kSegv,
     {"SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR", "SEGV_ACCADI", "SEGV_ADIDERR",
      "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR"}},
    {sig::kBus, {"BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"}},
    {sig::kTrap, {"TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK"}},
    {sig::kChld,
     {"CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"}},
    {sig::kIo, {"POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR", "POLL_PRI", "POLL_HUP"}},
};

bool from_user(const os::SigInfo& info) {
  return info.code <= 0;  // SI_FROMUSER
}

std::string sender(const os::SigInfo& info) {
  return ", si_pid=" + std::to_string(info.pid) + ", si_uid=" + std::to_string(info.uid);
}

std::string sigval(const os::SigInfo& info) {
  return ", si_int=" + std::to_string(static_cast<int32_t>(info.value)) +
         ", si_ptr=" + pointer(info.value);
}

// The fields after si_code, as strace chooses them: by who sent it, then by the signal.
std::string details(const os::SigInfo& info) {
  if (from_user(info)) {
    if (info.code == os::si_code::kUser || info.code == os::si_code::kTkill) return sender(info);
    if (info.code == os::si_code::kTimer)
      return ", si_timerid=" + hex(static_cast<uint32_t>(info.timer_id)) +
             ", si_overrun=" + std::to_string(info.timer_overrun) + sigval(info);
    return sender(info) + sigval(info);
  }
  switch (info.signo) {
    case sig::kChld: {
      const std::string status = info.code == os::si_code::kChldExited
                                     ? std::to_string(info.status)
                                     : signal_name_or_number(info.status);
      // vmlab keeps no per-child CPU times in siginfo: the frame it builds carries 0 too.
      return sender(info) + ", si_status=" + status + ", si_utime=0, si_stime=0";
    }
    case sig::kIll:
    case sig::kFpe:
    case sig::kSegv:
    case sig::kBus:
      return ", si_addr=" + pointer(info.address);
    default:
      return info.pid != 0 || info.uid != 0 ? sender(info) : "";
  }
}

}  // namespace

std::string si_code_name(int signo, int code) {
  if (code <= 0 || code == os::si_code::kKernel) {
    for (const GenericCode& g : kGenericCodes)
      if (g.code == code) return g.name;
  } else {
    for (const SignalCodes& s : kSignalCodes)
      if (s.signo == signo && static_cast<size_t>(code) <= s.names.size())
        return s.names.begin()[code - 1];
  }
  return std::to_string(code);
}

std::string siginfo_text(const os::SigInfo& info) {
  std::string out = "{si_signo=" + signal_name_or_number(info.signo);
  if (info.errno_value != 0) out += ", si_errno=" + errno_name(info.errno_value);
  out += ", si_code=" + si_code_name(info.signo, info.code);
  return out + details(info) + "}";
}

}  // namespace vmlab::emulator
