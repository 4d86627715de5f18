#include "os/memory_limits.h"

#include "os/process.h"
#include "os/residency.h"

namespace vmlab::os {

bool MemoryLimits::make_room(Process& process, uint64_t va) {
  eviction_.work_for(&process);
  bool ok = true;
  for (const RangeLimit& range : ranges_) {
    if (va >= range.start && va < range.end && !make_room_in(process, range)) ok = false;
  }
  ok = ok && make_room_in_process(process);
  eviction_.work_for(nullptr);
  return ok;
}

bool MemoryLimits::make_room_in(Process& process, const RangeLimit& range) {
  const AddressSpace& space = process.space();
  while (resident_set(frames_, space, range.start, range.end).rss() >= range.pages) {
    const bool evicted = eviction_.evict_one([&](mmu::Pfn f) {
      for (const Mapping& m : frames_.frame(f).rmap)
        if (m.space == &space && m.va >= range.start && m.va < range.end) return true;
      return false;
    });
    if (!evicted) return false;
    ++stats_.limit_reclaims;
  }
  return true;
}

bool MemoryLimits::make_room_in_process(Process& process) {
  while (process_limit_ != 0 && process.space().stats().resident >= process_limit_) {
    if (eviction_.reclaim(1) == 0) return false;
    ++stats_.limit_reclaims;
  }
  return true;
}

void MemoryLimits::note_fault(uint64_t va) {
  for (const RangeLimit& range : ranges_)
    if (va >= range.start && va < range.end) ++stats_.range_faults;
}

}  // namespace vmlab::os
