// Eviction (Linux's mm/vmscan.c: shrink_folio_list, try_to_unmap, pageout): carries out the
// replacement policy's choice. A page is unmapped from every process through the reverse map
// (each PTE change is invalidated in the TLBs), written to swap if it is anonymous and its
// swap copy is missing or stale, dropped from the page cache if it is a file page (written
// back first when a shared mapping dirtied it), and its frame freed.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "os/cycle_accounting.h"
#include "os/frame_allocator.h"
#include "os/kernel_events.h"
#include "os/page_cache.h"
#include "os/page_tracker.h"
#include "os/reclaim_stats.h"
#include "os/swap.h"
#include "os/workingset.h"

namespace vmlab::os {

class Process;

// What eviction needs of the kernel: whom it works for, and the modelled time it costs them.
struct EvictionHost {
  std::function<Process*()> current;  // the process running now, or null
  std::function<Process*(int pid)> find;
  std::function<void(Process*, CycleKind, uint64_t cycles)> charge;
};

class Eviction final : public MemoryPressureHandler {
 public:
  // `swap` is null on a machine without swap. With `local`, pressure takes only pages of the
  // process running now (local replacement).
  Eviction(FrameAllocator& frames, PageCache& page_cache, SwapDevice* swap, KernelEvents& events,
           EvictionHost host, PageTracker& tracker, WorkingSet& workingset, ReclaimStats& stats,
           bool local);

  // MemoryPressureHandler: free frames for an allocation that found none.
  uint64_t reclaim(uint64_t wanted) override;
  // Evicts the page the policy chooses among those `eligible` accepts. False when there is
  // none, or it could not go.
  bool evict_one(const Eligible& eligible);
  // Until cleared (null), reclaim works for `process` only: its pages, its modelled time.
  void work_for(Process* process) { reclaiming_for_ = process; }

 private:
  bool evictable(mmu::Pfn frame) const;
  // evictable(), counted and charged as one page scanned.
  bool scan(mmu::Pfn frame);
  Process* beneficiary();  // the process reclaim works for (charged its modelled time)
  bool evict(mmu::Pfn frame);
  bool evict_file(mmu::Pfn frame);
  bool evict_anonymous(mmu::Pfn frame);
  // The process of the first mapping, named in reclaim events.
  const Process* first_mapper(const std::vector<Mapping>& rmap) const;

  FrameAllocator& frames_;
  PageCache& page_cache_;
  SwapDevice* swap_;
  KernelEvents& events_;
  EvictionHost host_;
  PageTracker& tracker_;
  WorkingSet& workingset_;
  ReclaimStats& stats_;
  bool local_;
  bool swap_broken_ = false;
  Process* reclaiming_for_ = nullptr;  // local reclaim: only this process's pages
};

}  // namespace vmlab::os
