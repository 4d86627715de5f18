// A signal's siginfo as strace prints it when the signal reaches a process:
// "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=0, si_utime=0,
// si_stime=0}", "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}".
#pragma once

#include <string>

#include "os/signals.h"

namespace vmlab::emulator {

std::string siginfo_text(const os::SigInfo& info);
// "SEGV_MAPERR", "SI_USER"; the number when the signal has no such code.
std::string si_code_name(int signo, int code);

}  // namespace vmlab::emulator
