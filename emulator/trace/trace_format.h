// The two trace formats: aligned text for people, JSONL for programs (docs/trace-schema.md).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mmu/mmu.h"
#include "os/kernel_events.h"

namespace vmlab::emulator {

struct InstructionRecord {
  uint64_t seq;  // machine-wide instruction number (0-based)
  int pid;
  uint64_t va;
  std::span<const uint8_t> bytes;
  std::string_view text;    // disassembly
  std::string_view symbol;  // "main+0x1a" or empty
};

// One translation as the hardware model performed it (a copy: the event's walk is transient).
struct AccessRecord {
  uint64_t seq;
  int pid;
  mmu::Access kind;
  int size;  // 0 for instruction fetches (one per page a block spans)
  uint64_t va;
  mmu::Translation result;
  bool walked = false;
  mmu::WalkResult walk;
  int psc_level = 0;
  bool rewalk = false;
};

struct KernelRecord {
  uint64_t seq;
  int pid;
};

class TraceFormat {
 public:
  virtual ~TraceFormat() = default;
  virtual void instruction(std::string& out, const InstructionRecord& r) = 0;
  virtual void access(std::string& out, const AccessRecord& r) = 0;
  virtual void fault(std::string& out, const KernelRecord& k, const os::FaultEvent& e) = 0;
  virtual void syscall(std::string& out, const KernelRecord& k, const std::string& call,
                       const std::string& result) = 0;
  virtual void invalidation(std::string& out, const KernelRecord& k,
                            const mmu::InvalidationEvent& e) = 0;
  virtual void process(std::string& out, const KernelRecord& k, const os::ProcessEvent& e) = 0;
  virtual void reclaim(std::string& out, const KernelRecord& k, const os::ReclaimEvent& e) = 0;
};

std::unique_ptr<TraceFormat> make_text_format();
std::unique_ptr<TraceFormat> make_jsonl_format();

// Names shared by both formats.
const char* outcome_name(const AccessRecord& r);  // "l1", "l2", "walk", "fault"
const char* invalidation_name(mmu::InvalidationKind kind);
const char* process_event_name(os::ProcessEvent::Kind kind);
const char* reclaim_event_name(os::ReclaimEvent::Kind kind);
// "user write, not present" for a #PF error code.
std::string describe_error_code(uint32_t error_code);

}  // namespace vmlab::emulator
