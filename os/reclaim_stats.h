// The reclaimer's counters ("reclaim" in --stats-json), one line each (mmu/stat_registry.h);
// every piece of reclaim (eviction, swap-in, limits, working-set shadows, OOM) counts here.
#pragma once

#include "mmu/stat_registry.h"

namespace vmlab::os {

// X(field, unit, description)
#define VMLAB_RECLAIM_STATS(X)                                                              \
  X(evictions, "pages", "pages taken from processes or the page cache")                     \
  X(evict_clean, "pages", "evicted without I/O (a clean file page, or a valid swap copy)")  \
  X(swap_outs, "pages", "pages written to swap")                                            \
  X(swap_ins, "pages", "pages read back from swap (major faults)")                          \
  X(swap_cache_hits, "pages", "swap entries resolved by a frame another process read in")   \
  X(file_drops, "pages", "page-cache pages dropped")                                        \
  X(file_writebacks, "pages",                                                               \
    "dropped file pages written back first (a shared mapping wrote them)")                  \
  X(refaults, "faults", "faults on pages evicted earlier")                                  \
  X(refaults_file, "faults", "refaults of file pages, read again (the rest are anonymous)") \
  X(scanned, "pages", "pages the replacement policy examined as candidates")                \
  X(oom_kills, "processes", "processes the OOM killer ended")                               \
  X(limit_reclaims, "pages", "evictions forced by --mem-limit or --limit-range")            \
  X(range_faults, "faults", "faults inside --limit-range ranges")

struct ReclaimStats {
  VMLAB_RECLAIM_STATS(VMLAB_COUNTER_MEMBER)
};

inline constexpr mmu::CounterField<ReclaimStats> kReclaimStats[] = {
#define VMLAB_RECLAIM_ENTRY(field, unit, description) \
  {{#field, unit, mmu::StatScope::kMachine, description}, &ReclaimStats::field},
    VMLAB_RECLAIM_STATS(VMLAB_RECLAIM_ENTRY)
#undef VMLAB_RECLAIM_ENTRY
};

}  // namespace vmlab::os
