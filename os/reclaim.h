// Page reclaim, put together from its pieces, each with Linux's counterpart:
//   page_tracker.*   what the replacement policy sees of pages     (mm/swap.c, mm/rmap.c)
//   eviction.*       carrying out its choice: unmap, swap out, drop (mm/vmscan.c)
//   swap_in.*        the way back from swap, slot references        (mm/swap_state.c)
//   memory_limits.*  per-process and per-range resident limits      (mm/memcontrol.c)
//   workingset.*     refault shadows                                 (mm/workingset.c)
//   oom_kill.*       the OOM killer                                  (mm/oom_kill.c)
// The Reclaimer owns them, the policy and the swap device; it tells the tracker and the swap
// cache about frames coming and going (FrameObserver), and answers the rest of the kernel.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "os/eviction.h"
#include "os/frame_allocator.h"
#include "os/memory_limits.h"
#include "os/oom_kill.h"
#include "os/page_tracker.h"
#include "os/reclaim_stats.h"
#include "os/swap.h"
#include "os/swap_in.h"
#include "os/workingset.h"

namespace vmlab::os {

class Process;

// What reclaim needs of the kernel (os/kernel.cpp fills it in).
struct ReclaimHost {
  std::function<uint64_t()> clock;  // instructions retired by the machine
  EvictionHost eviction;
  OomKiller::Host oom;
};

class Reclaimer final : public FrameObserver {
 public:
  // `swap` is null on a machine without swap; `local`, `process_limit` and `ranges` are
  // Eviction's and MemoryLimits' (os/eviction.h, os/memory_limits.h).
  Reclaimer(FrameAllocator& frames, PageCache& page_cache, KernelEvents& events, ReclaimHost host,
            std::unique_ptr<ReplacementPolicy> policy, std::unique_ptr<SwapDevice> swap, bool local,
            uint64_t process_limit, std::vector<RangeLimit> ranges);

  PageTracker& tracker() { return tracker_; }
  Eviction& eviction() { return eviction_; }
  SwapIn& swap_in() { return swap_in_; }
  MemoryLimits& limits() { return limits_; }

  ReplacementPolicy& policy() { return tracker_.policy(); }
  void replace_policy(std::unique_ptr<ReplacementPolicy> policy) {
    tracker_.replace_policy(std::move(policy));
  }
  void record_references(const std::string& path) { tracker_.record_references(path); }
  bool wants_accesses() const { return tracker_.wants_accesses(); }
  void on_access(mmu::Pfn frame, int pid, uint64_t va) { tracker_.on_access(frame, pid, va); }
  SwapDevice* swap() { return swap_.get(); }
  const ReclaimStats& stats() const { return stats_; }
  const std::vector<RangeLimit>& ranges() const { return limits_.ranges(); }

  // Frame lifetime, from the frame allocator.
  void on_allocated(mmu::Pfn frame, FrameUse use) override;
  void on_freed(mmu::Pfn frame, const Frame& state) override;

  // A resolved fault of `process` at `va` that filled `new_frame`: counted in the limited
  // ranges, and true when it brought back a page evicted earlier (a refault).
  bool note_fault(Process& process, uint64_t va, mmu::Pfn new_frame);
  // The swap references of entries that go (unmap, exit) or are copied (fork).
  void release_slot(uint64_t slot) { swap_in_.release_slot(slot); }
  void duplicate_slot(uint64_t slot) { swap_in_.duplicate_slot(slot); }
  // Chooses and kills the process with the largest footprint (resident + swapped).
  Process* oom_kill(const char* context) { return oom_.kill(context); }

 private:
  ReclaimStats stats_;
  std::unique_ptr<SwapDevice> swap_;
  PageTracker tracker_;
  WorkingSet workingset_;
  SwapIn swap_in_;
  Eviction eviction_;
  MemoryLimits limits_;
  OomKiller oom_;
};

}  // namespace vmlab::os
