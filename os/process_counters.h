// What the kernel counts for each process (and sums machine-wide): one line per counter in
// VMLAB_PROCESS_COUNTERS declares the field, its key in each process's statistics, its
// machine-wide total in --stats-json (empty: no total), its unit, its piece of the --stats
// faults line and its description (mmu/stat_registry.h).
#pragma once

#include "mmu/stat_registry.h"

// X(field, total key, unit, --stats piece, description)
#define VMLAB_PROCESS_COUNTERS(X)                                                             \
  X(minor_faults, "faults.minor", "faults", "{} minor", "page faults resolved without I/O")   \
  X(major_faults, "faults.major", "faults",                                                   \
    ", {} major:", "page faults that waited for I/O (a file read or a swap-in)")              \
  X(zero_fill, "faults.zero_fill", "faults", " {} zero-fill",                                 \
    "faults that gave anonymous memory a new zeroed frame")                                   \
  X(zero_page, "faults.zero_page", "faults", ", {} zero-page",                                \
    "read faults on anonymous memory that mapped the shared zero page")                       \
  X(file_faults, "faults.file", "faults", ", {} file",                                        \
    "faults that mapped a file page (page-cache hit or read)")                                \
  X(cow_faults, "faults.cow", "faults", ", {} COW", "writes to a copy-on-write page")         \
  X(cow_copies, "faults.cow_copies", "faults", " ({} copied",                                 \
    "copy-on-write faults that copied the page")                                              \
  X(cow_reuses, "faults.cow_reuses", "faults", ", {} reused)",                                \
    "copy-on-write faults that reused the page (its last sharer)")                            \
  X(swap_ins, "faults.swap_in", "faults", "", "faults that read the page back from swap")     \
  X(stack_growth, "faults.stack_growth", "faults", "", "faults below the stack that grew it") \
  X(spurious, "faults.spurious", "faults", "",                                                \
    "faults on a page that was already fine (a stale TLB entry)")                             \
  X(segv, "faults.segv", "faults", ", {} SIGSEGV", "faults that ended in SIGSEGV")            \
  X(fetch_faults, "faults.fetch", "faults", ", {} on fetch",                                  \
    "faults of instruction fetches (code paged in, or a jump to a non-executable page)")      \
  X(syscalls, "syscalls", "calls", "", "system calls")                                        \
  X(context_switches, "", "switches", "", "times the scheduler switched to this task")        \
  X(kernel_cycles, "", "cycles", "",                                                          \
    "modelled time the kernel worked for the task (os/cycle_accounting.h)")                   \
  X(wait_cycles, "", "cycles", "", "modelled time the task waited for page I/O")

namespace vmlab::os {

struct ProcessCounters {
  VMLAB_PROCESS_COUNTERS(VMLAB_COUNTER_MEMBER)
};

// Each counter as a process's statistic (its member name).
inline constexpr mmu::CounterField<ProcessCounters> kProcessCounters[] = {
#define VMLAB_PROCESS_ENTRY(field, total, unit, summary, description) \
  {{#field, unit, mmu::StatScope::kProcess, description, {}}, &ProcessCounters::field},
    VMLAB_PROCESS_COUNTERS(VMLAB_PROCESS_ENTRY)
#undef VMLAB_PROCESS_ENTRY
};

// The machine-wide totals (every process, live or reaped); an empty key has none.
inline constexpr mmu::CounterField<ProcessCounters> kProcessTotals[] = {
#define VMLAB_PROCESS_TOTAL(field, total, unit, summary, description) \
  {{total, unit, mmu::StatScope::kMachine, description, summary}, &ProcessCounters::field},
    VMLAB_PROCESS_COUNTERS(VMLAB_PROCESS_TOTAL)
#undef VMLAB_PROCESS_TOTAL
};

inline void add_counters(ProcessCounters& sum, const ProcessCounters& c) {
  for (const auto& counter : kProcessCounters)
    sum.*counter.field += c.*counter.field;
}

}  // namespace vmlab::os
