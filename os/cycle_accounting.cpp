#include "os/cycle_accounting.h"

namespace vmlab::os {

void CycleCounters::add(CycleKind kind, uint64_t cycles) {
  switch (kind) {
    case CycleKind::kSyscall:
      syscalls += cycles;
      return;
    case CycleKind::kFault:
      faults += cycles;
      return;
    case CycleKind::kReclaim:
      reclaim += cycles;
      return;
    case CycleKind::kContextSwitch:
      context_switches += cycles;
      return;
    case CycleKind::kTlbShootdown:
      tlb_shootdowns += cycles;
      return;
    case CycleKind::kSwapWait:
      swap_wait += cycles;
      return;
    case CycleKind::kIoWait:
      io_wait += cycles;
      return;
  }
}

}  // namespace vmlab::os
