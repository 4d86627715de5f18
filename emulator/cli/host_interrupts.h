// Host signals that end a run early without losing its results: SIGINT and SIGTERM sent to
// vmlab, and the SIGALRM of --timeout. The handler only records the signal; the kernel sees the
// flag between time slices and stops, and vmlab still flushes the trace and writes the stats.
#pragma once

#include <atomic>

namespace vmlab::cli {

// Installs the handlers (once) and returns the flag they raise: the signal number, or 0.
const std::atomic<int>& host_stop_flag();
// Raises SIGALRM after `seconds` of wall-clock time (0: never).
void arm_timeout(double seconds);

}  // namespace vmlab::cli
