// The way back from swap and the swap references of page-table entries (Linux's
// mm/swap_state.c with do_swap_page of mm/memory.c): a swapped page is read into a frame that
// the swap cache keeps, so that other sharers of the slot map the same frame; a page written
// after its swap-in loses its stale copy; entries that go, or are copied by fork, drop or
// take a slot reference.
#pragma once

#include <cstdint>

#include "os/fault.h"
#include "os/frame_allocator.h"
#include "os/kernel_events.h"
#include "os/reclaim_stats.h"
#include "os/swap.h"

namespace vmlab::os {

class Process;
struct Vma;

class SwapIn {
 public:
  // `swap` is null on a machine without swap.
  SwapIn(FrameAllocator& frames, SwapDevice* swap, KernelEvents& events, ReclaimStats& stats)
      : frames_(frames), swap_(swap), events_(events), stats_(stats) {}

  // The way back from swap for the PTE of `process` at `page` holding `slot`.
  FaultResult fault_in(Process& process, const Vma& vma, uint64_t page, uint64_t slot);
  // A write fault on a swapped-in page: its swap copy is about to become stale.
  bool can_reuse(mmu::Pfn frame);
  // Drops the swap reference of a swap entry that goes away (unmap, exit).
  void release_slot(uint64_t slot);
  void duplicate_slot(uint64_t slot);
  // A frame is freed: the swap cache's reference to its copy goes with it (the copy outlives
  // the frame only for PTEs that hold it).
  void frame_freed(const Frame& state);

 private:
  FrameAllocator& frames_;
  SwapDevice* swap_;
  KernelEvents& events_;
  ReclaimStats& stats_;
};

}  // namespace vmlab::os
