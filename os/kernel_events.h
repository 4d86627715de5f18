// Kernel events for tracing, scripting and statistics. Subscribers are called synchronously;
// with none registered, raising an event costs a vector-empty test.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "os/event_list.h"
#include "os/process_counters.h"
#include "os/signals.h"

namespace vmlab::os {

class Process;

enum class FaultResolution : uint8_t {
  kZeroFill,       // new zeroed frame
  kZeroPage,       // read mapped the shared zero page
  kFileMinor,      // page-cache hit
  kFileMajor,      // read from the file
  kCowCopy,        // write to a shared page: copied
  kCowReuse,       // write to a page nobody else maps any more: made writable
  kSwapIn,         // read back from swap (major)
  kSwapCache,      // the page was already read back by another sharer (minor)
  kSpurious,       // nothing to do (the entry was already upgraded)
  kSegvMapErr,     // no mapping: SIGSEGV
  kSegvAccErr,     // mapping forbids the access: SIGSEGV
  kOutOfMemory,    // no frame even after reclaim: the process is killed
  kBusError,       // a file mapping past the end of the file (or a swap read error): SIGBUS
  kLimitExceeded,  // a memory limit leaves nothing to evict: the process is killed
  kBadPageTable,   // a reserved bit in an entry (a kernel bug): the process is killed
};
const char* fault_resolution_name(FaultResolution r);
inline bool is_major(FaultResolution r) {
  return r == FaultResolution::kFileMajor || r == FaultResolution::kSwapIn;
}
inline bool is_signal(FaultResolution r) {
  return r == FaultResolution::kSegvMapErr || r == FaultResolution::kSegvAccErr ||
         r == FaultResolution::kOutOfMemory || r == FaultResolution::kBusError ||
         r == FaultResolution::kLimitExceeded || r == FaultResolution::kBadPageTable;
}

struct FaultEvent {
  const Process& process;
  uint64_t address;
  uint32_t error_code;  // x86 #PF error code (kernel-mode faults carry no U bit)
  uint64_t rip;
  FaultResolution resolution;
  uint64_t old_pfn;  // frame before (COW), or 0
  uint64_t new_pfn;  // frame mapped, or 0
};

// Raised twice per call: at entry (before the handler runs, so arguments can be read as the
// process passed them) and at exit. A call that waits is entered once and exits once, when it
// completes.
struct SyscallEvent {
  const Process& process;
  int number;
  uint64_t args[6];
  int64_t result;  // exit only
  bool entry;
};

struct ProcessEvent {
  const Process& process;
  enum class Kind : uint8_t { kCreated, kExec, kExit, kSwitchIn, kThreadExit } kind;
  int wait_status;                                 // kExit
  const std::vector<std::string>* argv = nullptr;  // kExec
  const std::string* path = nullptr;               // kExec: the path as given to execve
};

// A signal taking effect in a process: its handler is about to run (after a call it
// interrupted has ended), its default action is taken, or it is discarded as ignored (when sent
// or when unblocked).
struct SignalEvent {
  const Process& process;
  const SigInfo& info;
  enum class Kind : uint8_t { kHandler, kDefaultAction, kIgnored } kind;
};

struct ReclaimEvent {
  const Process* process;  // owner of the evicted page (first mapper), may be null
  uint64_t va;
  uint64_t pfn;
  enum class Kind : uint8_t { kEvictClean, kSwapOut, kDropCache, kSwapIn } kind;
  uint64_t slot;
};

// Subscribe with e.g. `subscription_ = events.fault.subscribe(...)`: the handler is called
// until the returned Subscription is destroyed.
class KernelEvents {
 public:
  EventList<FaultEvent> fault;
  EventList<SyscallEvent> syscall;
  EventList<ProcessEvent> process;
  EventList<SignalEvent> signal;
  EventList<ReclaimEvent> reclaim;

  template <typename Event>
  static void raise(const EventList<Event>& subscribers, const Event& event) {
    subscribers.raise(event);
  }
};

// What remains of a process after it has been reaped, for reports.
struct ProcessSummary {
  int pid;
  int ppid;
  std::string command;
  int wait_status;
  uint64_t instructions;
  uint64_t peak_resident;
  ProcessCounters counters;  // its threads' included
};

// A thread of a process that had several, when it ended (its counters are then the
// process's too).
struct ThreadSummary {
  int pid;  // its process
  int tid;
  uint64_t instructions;
  ProcessCounters counters;
  size_t processor;  // the CPU it ran on last
};

}  // namespace vmlab::os
