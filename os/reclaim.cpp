#include "os/reclaim.h"

#include "os/process.h"

namespace vmlab::os {

Reclaimer::Reclaimer(FrameAllocator& frames, PageCache& page_cache, KernelEvents& events,
                     ReclaimHost host, std::unique_ptr<ReplacementPolicy> policy,
                     std::unique_ptr<SwapDevice> swap, bool local, uint64_t process_limit,
                     std::vector<RangeLimit> ranges)
    : swap_(std::move(swap)),
      tracker_(frames, std::move(host.clock), std::move(policy)),
      workingset_(frames, tracker_, stats_),
      swap_in_(frames, swap_.get(), events, stats_),
      eviction_(frames, page_cache, swap_.get(), events, std::move(host.eviction), tracker_,
                workingset_, stats_, local),
      limits_(frames, eviction_, stats_, process_limit, std::move(ranges)),
      oom_(std::move(host.oom), stats_) {}

void Reclaimer::on_allocated(mmu::Pfn frame, FrameUse use) {
  tracker_.loaded(frame, use);
}

void Reclaimer::on_freed(mmu::Pfn frame, const Frame& state) {
  tracker_.released(frame, state);
  swap_in_.frame_freed(state);
}

bool Reclaimer::note_fault(Process& process, uint64_t va, mmu::Pfn new_frame) {
  limits_.note_fault(va);
  return workingset_.refault(process.pid(), va, new_frame);
}

}  // namespace vmlab::os
