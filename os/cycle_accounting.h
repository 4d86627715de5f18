// Modelled time: what the machine spends its cycles on.
//
// The modelled CPU runs at 1 GHz and retires one instruction per cycle, so a cycle is a
// nanosecond of the guest's clock (KernelConfig::ns_per_instruction). User time is the
// instructions the guest retired. Everything else the kernel does takes modelled time too, at
// the fixed costs below: its own work (system calls, fault handling, reclaim, context
// switches) and the page I/O it waits for. I/O is synchronous in the model: while a process
// waits for a page, nothing else runs. The guest's clocks (clock_gettime, /proc/uptime) read
// the sum, so a thrashing program sees its own time stretch as on a real machine.
#pragma once

#include <cstdint>

#include "mmu/stat_registry.h"

namespace vmlab::os {

// The modelled costs, in cycles (nanoseconds). Orders of magnitude of a current x86 server
// running Linux with an NVMe SSD as its swap and file device.
namespace cycle_cost {
inline constexpr uint64_t kSyscall = 150;         // entry, dispatch and return of a system call
inline constexpr uint64_t kPageFault = 500;       // #PF entry, VMA lookup, PTE update, return
inline constexpr uint64_t kZeroPage = 250;        // clearing a 4 KiB frame (16 bytes a cycle)
inline constexpr uint64_t kCopyPage = 500;        // copying a 4 KiB frame (copy-on-write)
inline constexpr uint64_t kScanPage = 20;         // the replacement policy examining one page
inline constexpr uint64_t kEvictPage = 400;       // unmapping a page from its mappers, TLB flush
inline constexpr uint64_t kContextSwitch = 1000;  // saving and loading a context, CR3 load
inline constexpr uint64_t kShootdownIpi = 2000;   // a TLB shootdown IPI: sending it, the other
                                                  // CPU's interrupt and flush, waiting for its
                                                  // acknowledgement (~2 us on real machines)
inline constexpr uint64_t kDiskRead = 10'000;     // reading 4 KiB from the SSD (~10 us)
inline constexpr uint64_t kDiskWrite = 10'000;    // writing 4 KiB to it, waited for: reclaim
                                                  // frees the frame only once it is written
}  // namespace cycle_cost

enum class CycleKind : uint8_t {
  kSyscall,        // kernel: system calls
  kFault,          // kernel: page-fault handling, zeroing and copying pages included
  kReclaim,        // kernel: choosing and evicting pages (direct reclaim)
  kContextSwitch,  // kernel: switching between processes
  kTlbShootdown,   // kernel: IPIs that invalidate other CPUs' TLBs
  kSwapWait,       // waiting for page I/O caused by memory pressure: swap-ins, swap-outs,
                   // re-reads of file pages reclaim dropped, write-back of dropped pages
  kIoWait,         // waiting for first reads of file pages (a program's code and data)
};

// A stall on memory, as PSI counts it: direct reclaim and the page I/O memory pressure causes.
inline bool is_memory_stall(CycleKind kind) {
  return kind == CycleKind::kReclaim || kind == CycleKind::kSwapWait;
}
inline bool is_kernel_work(CycleKind kind) {
  return kind != CycleKind::kSwapWait && kind != CycleKind::kIoWait;
}

// Machine-wide cycles by kind (user time is derived from instructions, not kept here).
// X(field, description); "cycles" in --stats-json (mmu/stat_registry.h).
#define VMLAB_CYCLE_STATS(X)                                                                  \
  X(syscalls, "kernel work in system calls")                                                  \
  X(faults, "kernel work in page-fault handlers")                                             \
  X(reclaim, "kernel work reclaiming pages")                                                  \
  X(context_switches, "kernel work switching tasks")                                          \
  X(tlb_shootdowns, "kernel work sending and receiving TLB shootdown IPIs")                   \
  X(swap_wait,                                                                                \
    "waiting for the page I/O memory pressure caused (swap, re-reads of dropped file pages)") \
  X(io_wait, "waiting for first reads of file pages")                                         \
  X(idle, "every process slept: the clock skipped ahead")                                     \
  X(in_page_faults,                                                                           \
    "everything charged while a page fault was handled: the handler, its reclaim, its I/O")

struct CycleCounters {
  VMLAB_CYCLE_STATS(VMLAB_COUNTER_MEMBER)

  void add(CycleKind kind, uint64_t cycles);
  uint64_t kernel() const {
    return syscalls + faults + reclaim + context_switches + tlb_shootdowns;
  }
  uint64_t waiting() const { return swap_wait + io_wait; }
  // Everything but user time and idle time: what the kernel added to the clock.
  uint64_t charged() const { return kernel() + waiting(); }
};

inline constexpr mmu::CounterField<CycleCounters> kCycleStats[] = {
#define VMLAB_CYCLE_ENTRY(field, description) \
  {{#field, "cycles", mmu::StatScope::kMachine, description}, &CycleCounters::field},
    VMLAB_CYCLE_STATS(VMLAB_CYCLE_ENTRY)
#undef VMLAB_CYCLE_ENTRY
};

}  // namespace vmlab::os
