#include "emulator/trace/trace_format.h"

namespace vmlab::emulator {

const char* outcome_name(const AccessRecord& r) {
  if (r.result.faulted) return "fault";
  switch (r.result.outcome) {
    case mmu::TlbOutcome::kL1Hit:
      return "l1";
    case mmu::TlbOutcome::kL2Hit:
      return "l2";
    case mmu::TlbOutcome::kWalk:
      return "walk";
  }
  return "?";
}

const char* invalidation_name(mmu::InvalidationKind kind) {
  switch (kind) {
    case mmu::InvalidationKind::kInvlpg:
      return "invlpg";
    case mmu::InvalidationKind::kInvpcidAddress:
      return "invpcid-address";
    case mmu::InvalidationKind::kInvpcidContext:
      return "invpcid-context";
    case mmu::InvalidationKind::kFlushAll:
      return "flush-all";
    case mmu::InvalidationKind::kFlushNonGlobal:
      return "flush-non-global";
    case mmu::InvalidationKind::kCr3Load:
      return "cr3-load";
  }
  return "?";
}

const char* process_event_name(os::ProcessEvent::Kind kind) {
  switch (kind) {
    case os::ProcessEvent::Kind::kCreated:
      return "create";
    case os::ProcessEvent::Kind::kExec:
      return "exec";
    case os::ProcessEvent::Kind::kExit:
      return "exit";
    case os::ProcessEvent::Kind::kSwitchIn:
      return "switch";
    case os::ProcessEvent::Kind::kThreadExit:
      return "thread-exit";
  }
  return "?";
}

const char* reclaim_event_name(os::ReclaimEvent::Kind kind) {
  switch (kind) {
    case os::ReclaimEvent::Kind::kEvictClean:
      return "evict-clean";
    case os::ReclaimEvent::Kind::kSwapOut:
      return "swap-out";
    case os::ReclaimEvent::Kind::kDropCache:
      return "drop-cache";
    case os::ReclaimEvent::Kind::kSwapIn:
      return "swap-in";
  }
  return "?";
}

std::string describe_error_code(uint32_t error_code) {
  std::string out = (error_code & mmu::pf_error::kUser) ? "user " : "kernel ";
  out += (error_code & mmu::pf_error::kInstruction) ? "fetch"
         : (error_code & mmu::pf_error::kWrite)     ? "write"
                                                    : "read";
  out += (error_code & mmu::pf_error::kPresent) ? ", protection" : ", not present";
  if (error_code & mmu::pf_error::kReserved) out += ", reserved bit";
  return out;
}

}  // namespace vmlab::emulator
