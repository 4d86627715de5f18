#include "os/workingset.h"

#include "os/address_space.h"

namespace vmlab::os {

void WorkingSet::remember(const Frame& frame, uint64_t eviction) {
  for (const Mapping& m : frame.rmap)
    shadows_[{m.space->owner(), m.va >> mmu::kPageShift}] = eviction;
}

bool WorkingSet::refault(int pid, uint64_t va, mmu::Pfn new_frame) {
  auto it = shadows_.find({pid, va >> mmu::kPageShift});
  if (it == shadows_.end()) return false;
  ++stats_.refaults;
  if (new_frame.value != 0) {
    if (frames_.frame(new_frame).use == FrameUse::kFile) ++stats_.refaults_file;
    tracker_.policy().on_refault(new_frame, stats_.evictions - it->second);
  }
  shadows_.erase(it);
  return true;
}

}  // namespace vmlab::os
