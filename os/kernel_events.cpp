#include "os/kernel_events.h"

namespace vmlab::os {

const char* fault_resolution_name(FaultResolution r) {
  switch (r) {
    case FaultResolution::kZeroFill:
      return "zero-fill";
    case FaultResolution::kZeroPage:
      return "zero-page";
    case FaultResolution::kFileMinor:
      return "file (page cache)";
    case FaultResolution::kFileMajor:
      return "file (read)";
    case FaultResolution::kCowCopy:
      return "cow-copy";
    case FaultResolution::kCowReuse:
      return "cow-reuse";
    case FaultResolution::kSwapIn:
      return "swap-in";
    case FaultResolution::kSwapCache:
      return "swap-cache";
    case FaultResolution::kSpurious:
      return "spurious";
    case FaultResolution::kSegvMapErr:
      return "SIGSEGV (not mapped)";
    case FaultResolution::kSegvAccErr:
      return "SIGSEGV (access)";
    case FaultResolution::kOutOfMemory:
      return "out of memory";
    case FaultResolution::kBusError:
      return "SIGBUS";
    case FaultResolution::kLimitExceeded:
      return "memory limit";
    case FaultResolution::kBadPageTable:
      return "bad page table";
  }
  return "?";
}

}  // namespace vmlab::os
