#include "os/swap_in.h"

#include <cstdio>

#include "os/process.h"

namespace vmlab::os {

using mmu::Pfn;

FaultResult SwapIn::fault_in(Process& process, const Vma& vma, uint64_t page, uint64_t slot) {
  if (const auto cached = swap_->cached(slot)) {
    // Another sharer already read the page back: map the same frame, copy-on-write.
    frames_.get(*cached);
    if (!process.space().map_page(page, *cached, LeafRights{false, vma.executable()})) {
      frames_.put(*cached);
      return {FaultResolution::kOutOfMemory};
    }
    swap_->release(slot);
    ++stats_.swap_cache_hits;
    return {FaultResolution::kSwapCache, 0, cached->value};
  }
  const auto frame = frames_.allocate(FrameUse::kAnonymous);
  if (!frame) return {FaultResolution::kOutOfMemory};
  if (const auto loaded =
          swap_->read(slot, frames_.memory().host(frame->address(), mmu::kPageBytes));
      !loaded) {
    std::fprintf(stderr, "vmlab: %s\n", loaded.error().c_str());
    frames_.put(*frame);
    return {FaultResolution::kBusError};
  }
  Frame& f = frames_.frame(*frame);
  f.swap_slot = static_cast<int32_t>(slot);
  swap_->cache(slot, *frame);
  swap_->duplicate(slot);  // the swap cache's reference
  // Writable only when no other PTE still shares the slot (otherwise copy-on-write).
  const bool exclusive = swap_->references(slot) == 2;
  const LeafRights rights{vma.writable() && exclusive, vma.executable()};
  if (!process.space().map_page(page, *frame, rights)) {
    frames_.put(*frame);
    return {FaultResolution::kOutOfMemory};
  }
  swap_->release(slot);  // the PTE's reference moved to the frame
  ++stats_.swap_ins;
  KernelEvents::raise(events_.reclaim, ReclaimEvent{&process, page, frame->value,
                                                    ReclaimEvent::Kind::kSwapIn, slot});
  return {FaultResolution::kSwapIn, 0, frame->value};
}

bool SwapIn::can_reuse(Pfn frame) {
  Frame& f = frames_.frame(frame);
  if (f.swap_slot < 0 || !swap_) return true;
  const uint64_t slot = static_cast<uint64_t>(f.swap_slot);
  if (swap_->references(slot) > 1) return false;  // a swap entry elsewhere needs this copy
  // Only the cache holds the slot: the write makes the copy stale, so drop it.
  swap_->uncache(slot);
  swap_->release(slot);
  f.swap_slot = -1;
  return true;
}

void SwapIn::release_slot(uint64_t slot) {
  if (swap_) swap_->release(slot);
}

void SwapIn::duplicate_slot(uint64_t slot) {
  if (swap_) swap_->duplicate(slot);
}

void SwapIn::frame_freed(const Frame& state) {
  if (state.use != FrameUse::kAnonymous && state.use != FrameUse::kFile) return;
  if (state.swap_slot >= 0 && swap_) {
    swap_->uncache(static_cast<uint64_t>(state.swap_slot));
    swap_->release(static_cast<uint64_t>(state.swap_slot));
  }
}

}  // namespace vmlab::os
