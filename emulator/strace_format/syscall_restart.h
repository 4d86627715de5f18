// What strace shows for a call a signal handler interrupts. Linux returns one of its internal
// restart codes there, which strace prints ("? ERESTARTSYS (To be restarted if SA_RESTART is
// set)"); the process then sees EINTR when rt_sigreturn ends. vmlab ends such calls with EINTR
// at once, so the tracer names the code Linux would have used for the call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vmlab::emulator {

// The result text for `number` interrupted by a handler, or nullopt when Linux returns EINTR
// itself (then "-1 EINTR" is what strace shows too).
std::optional<std::string> interrupted_result(int number, const uint64_t (&args)[6]);

}  // namespace vmlab::emulator
