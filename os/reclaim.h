// Page reclaim: the mechanism that carries out a replacement policy's decisions.
//
// Evicting a page unmaps it from every process through the reverse map (each PTE change is
// invalidated in the TLBs), writes it to swap if it is anonymous and its swap copy is missing
// or stale, drops it from the page cache if it is a file page, and frees the frame. Swap-in
// is the way back. Memory limits (per process, per address range) reclaim locally; when
// nothing can be freed the OOM killer ends the largest process.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mmu/stat_registry.h"
#include "os/fault.h"
#include "os/frame_allocator.h"
#include "os/replacement/policy.h"
#include "os/replacement/reference_string.h"
#include "os/swap.h"

namespace vmlab::os {

class Kernel;
class Process;
struct Vma;

// A range of virtual addresses in which each process may keep at most `pages` resident pages
// (the Belady experiment gives exactly N frames to one mapping this way).
struct RangeLimit {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t pages = 0;
};

// The reclaimer's counters ("reclaim" in --stats-json), one line each (mmu/stat_registry.h).
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

class Reclaimer final : public MemoryPressureHandler, public PageInspector, public FrameObserver {
 public:
  Reclaimer(Kernel& kernel, std::unique_ptr<ReplacementPolicy> policy,
            std::unique_ptr<SwapDevice> swap, bool local, uint64_t process_limit,
            std::vector<RangeLimit> ranges);

  ReplacementPolicy& policy() { return *policy_; }
  // Installs another policy (one built after the machine, like a Lua policy of `vmlab run`).
  // Only before the first page is loaded: the new policy must see every page from its load.
  void replace_policy(std::unique_ptr<ReplacementPolicy> policy);
  SwapDevice* swap() { return swap_.get(); }
  const ReclaimStats& stats() const { return stats_; }
  const std::vector<RangeLimit>& ranges() const { return ranges_; }

  // Frame lifetime, from the frame allocator.
  void on_allocated(mmu::Pfn frame, FrameUse use) override;
  void on_freed(mmu::Pfn frame, const Frame& state) override;

  // MemoryPressureHandler: free frames for an allocation that found none.
  uint64_t reclaim(uint64_t wanted) override;
  // Before `process` gains a resident page at `va`: enforce its limits by evicting its own
  // pages. False when the limit leaves nothing to evict (the caller kills the process).
  bool make_room(Process& process, uint64_t va);
  // Counts faults inside the limited ranges and reports refaults to the policy. True when the
  // fault brought back a page evicted earlier.
  bool note_fault(Process& process, uint64_t va, mmu::Pfn new_frame);
  // The way back from swap for the PTE of `process` at `page` holding `slot`.
  FaultResult swap_in(Process& process, const Vma& vma, uint64_t page, uint64_t slot);
  // A write fault on a swapped-in page: its swap copy is about to become stale.
  bool can_reuse(mmu::Pfn frame);
  // Drops the swap reference of a swap entry that goes away (unmap, exit).
  void release_slot(uint64_t slot);
  void duplicate_slot(uint64_t slot);
  // Per-access tracking for LRU and OPT, and --record-refs.
  bool wants_accesses() const { return policy_->wants_accesses() || recorder_ != nullptr; }
  void on_access(mmu::Pfn frame, int pid, uint64_t va);
  void record_references(const std::string& path);
  // Chooses and kills the process with the largest footprint (resident + swapped).
  Process* oom_kill(const char* context);

  // PageInspector
  bool test_and_clear_referenced(mmu::Pfn frame) override;
  bool referenced(mmu::Pfn frame) const override;
  bool dirty(mmu::Pfn frame) const override;
  uint64_t now() const override;
  uint64_t loaded_at(mmu::Pfn frame) const override;
  uint64_t last_access(mmu::Pfn frame) const override;
  int owner(mmu::Pfn frame) const override;
  std::vector<std::pair<int, uint64_t>> mappings(mmu::Pfn frame) const override;

 private:
  bool evictable(mmu::Pfn frame) const;
  // evictable(), counted and charged as one page scanned.
  bool scan(mmu::Pfn frame);
  Process* beneficiary();  // the process reclaim works for (charged its modelled time)
  bool evict(mmu::Pfn frame);
  bool evict_file(mmu::Pfn frame);
  bool evict_anonymous(mmu::Pfn frame);
  uint64_t resident_in(const Process& process, const RangeLimit& range) const;

  Kernel& kernel_;
  std::unique_ptr<ReplacementPolicy> policy_;
  std::unique_ptr<SwapDevice> swap_;
  bool local_;
  uint64_t process_limit_;
  std::vector<RangeLimit> ranges_;
  ReclaimStats stats_;
  std::unique_ptr<ReferenceString> recorder_;
  bool pages_loaded_ = false;                             // a policy has seen on_load
  std::map<std::pair<int, uint64_t>, uint64_t> shadows_;  // (pid, vpn) -> eviction number
  bool swap_broken_ = false;
  Process* reclaiming_for_ = nullptr;  // local reclaim: only this process's pages
};

}  // namespace vmlab::os
