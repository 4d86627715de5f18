// Memory limits (a memory cgroup's limit in Linux's mm/memcontrol.c: a charge over the limit
// reclaims from the group itself first): --mem-limit caps each process's resident pages,
// --limit-range caps the resident pages of each process inside an address range (the Belady
// experiment gives exactly N frames to one mapping this way). Before a process gains a page,
// its own pages are evicted until it is under its limits.
#pragma once

#include <cstdint>
#include <vector>

#include "os/eviction.h"
#include "os/frame_allocator.h"
#include "os/reclaim_stats.h"

namespace vmlab::os {

class Process;

// A range of virtual addresses in which each process may keep at most `pages` resident pages.
struct RangeLimit {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t pages = 0;
};

class MemoryLimits {
 public:
  // `process_limit` is in pages; 0: no limit.
  MemoryLimits(FrameAllocator& frames, Eviction& eviction, ReclaimStats& stats,
               uint64_t process_limit, std::vector<RangeLimit> ranges)
      : frames_(frames),
        eviction_(eviction),
        stats_(stats),
        process_limit_(process_limit),
        ranges_(std::move(ranges)) {}

  const std::vector<RangeLimit>& ranges() const { return ranges_; }
  // Before `process` gains a resident page at `va`: enforce its limits by evicting its own
  // pages. False when the limit leaves nothing to evict (the caller kills the process).
  bool make_room(Process& process, uint64_t va);
  // Counts a fault at `va` in the limited ranges it falls in.
  void note_fault(uint64_t va);

 private:
  bool make_room_in(Process& process, const RangeLimit& range);
  bool make_room_in_process(Process& process);

  FrameAllocator& frames_;
  Eviction& eviction_;
  ReclaimStats& stats_;
  uint64_t process_limit_;
  std::vector<RangeLimit> ranges_;
};

}  // namespace vmlab::os
