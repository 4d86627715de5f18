// Refault detection (Linux's mm/workingset.c): evicting a page leaves a shadow for each of
// its mappings, numbered by the eviction; a fault that finds a shadow is a refault, and the
// number of evictions since then (the refault distance) goes to the replacement policy.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "os/frame_allocator.h"
#include "os/page_tracker.h"
#include "os/reclaim_stats.h"

namespace vmlab::os {

class WorkingSet {
 public:
  WorkingSet(FrameAllocator& frames, PageTracker& tracker, ReclaimStats& stats)
      : frames_(frames), tracker_(tracker), stats_(stats) {}

  // `frame` is being evicted as eviction number `eviction`: shadows for its mappings.
  void remember(const Frame& frame, uint64_t eviction);
  // A fault of process `pid` at `va` filled `new_frame` (0: no frame, the zero page). True
  // when it brought back a page evicted earlier.
  bool refault(int pid, uint64_t va, mmu::Pfn new_frame);

 private:
  FrameAllocator& frames_;
  PageTracker& tracker_;
  ReclaimStats& stats_;
  std::map<std::pair<int, uint64_t>, uint64_t> shadows_;  // (pid, vpn) -> eviction number
};

}  // namespace vmlab::os
