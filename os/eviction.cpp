#include "os/eviction.h"

#include <cstdio>

#include "os/process.h"

namespace vmlab::os {

using mmu::Pfn;

Eviction::Eviction(FrameAllocator& frames, PageCache& page_cache, SwapDevice* swap,
                   KernelEvents& events, EvictionHost host, PageTracker& tracker,
                   WorkingSet& workingset, ReclaimStats& stats, bool local)
    : frames_(frames),
      page_cache_(page_cache),
      swap_(swap),
      events_(events),
      host_(std::move(host)),
      tracker_(tracker),
      workingset_(workingset),
      stats_(stats),
      local_(local) {}

bool Eviction::evictable(Pfn frame) const {
  const Frame& f = frames_.frame(frame);
  // A page brought in since the last instruction retired may be the one the faulting
  // instruction needs next to its code or its other operand: evicting it would make the two
  // evict each other forever. Hardware needs them all resident at once; so does the kernel.
  if (f.loaded_at == tracker_.now()) return false;
  // A reference beyond the mappings (and the page cache's own) is a pin: a fault handler is
  // working with the frame right now.
  if (f.use == FrameUse::kFile) return f.refcount == f.rmap.size() + 1;
  if (f.use != FrameUse::kAnonymous || f.rmap.empty() || f.refcount != f.rmap.size() || !swap_ ||
      swap_broken_)
    return false;
  return f.swap_slot >= 0 || swap_->used() < swap_->slots();
}

bool Eviction::scan(Pfn frame) {
  ++stats_.scanned;
  host_.charge(beneficiary(), CycleKind::kReclaim, cycle_cost::kScanPage);
  return evictable(frame);
}

Process* Eviction::beneficiary() {
  return reclaiming_for_ != nullptr ? reclaiming_for_ : host_.current();
}

uint64_t Eviction::reclaim(uint64_t wanted) {
  Process* scope = reclaiming_for_;
  if (scope == nullptr && local_) scope = host_.current();
  uint64_t freed = 0;
  while (freed < wanted) {
    const bool evicted = evict_one([&](Pfn f) {
      if (scope == nullptr) return true;
      for (const auto& [pid, va] : tracker_.mappings(f))
        if (pid == scope->pid()) return true;
      return false;
    });
    if (!evicted) break;
    ++freed;
  }
  return freed;
}

bool Eviction::evict_one(const Eligible& eligible) {
  const auto victim =
      tracker_.policy().choose(tracker_, [&](Pfn f) { return scan(f) && eligible(f); });
  return victim && evict(*victim);
}

bool Eviction::evict(Pfn frame) {
  const Frame& f = frames_.frame(frame);
  const uint64_t eviction = ++stats_.evictions;
  workingset_.remember(f, eviction);
  const bool ok = f.use == FrameUse::kFile ? evict_file(frame) : evict_anonymous(frame);
  if (!ok) --stats_.evictions;
  if (ok) host_.charge(beneficiary(), CycleKind::kReclaim, cycle_cost::kEvictPage);
  return ok;
}

const Process* Eviction::first_mapper(const std::vector<Mapping>& rmap) const {
  return rmap.empty() ? nullptr : host_.find(rmap.front().space->owner());
}

bool Eviction::evict_file(Pfn frame) {
  const std::vector<Mapping> rmap = frames_.frame(frame).rmap;
  // Unmapping notes a page a shared mapping wrote (Frame::dirty); dropping it writes it back.
  for (const Mapping& m : rmap)
    m.space->unmap_page(m.va);
  KernelEvents::raise(events_.reclaim,
                      ReclaimEvent{first_mapper(rmap), rmap.empty() ? 0 : rmap.front().va,
                                   frame.value, ReclaimEvent::Kind::kDropCache, 0});
  ++stats_.file_drops;
  const bool write_back = frames_.frame(frame).dirty;
  ++(write_back ? stats_.file_writebacks : stats_.evict_clean);
  if (write_back) host_.charge(beneficiary(), CycleKind::kSwapWait, cycle_cost::kDiskWrite);
  return page_cache_.drop(frame);
}

bool Eviction::evict_anonymous(Pfn frame) {
  // A huge page is split first; then its first 4 KiB goes like any other page.
  for (const Mapping& m : std::vector<Mapping>(frames_.frame(frame).rmap))
    if (m.space->read_pte(m.va).page_size() && !m.space->split_huge(m.va)) return false;
  Frame& f = frames_.frame(frame);
  const bool have_copy = f.swap_slot >= 0;
  uint64_t slot;
  if (have_copy) {
    slot = static_cast<uint64_t>(f.swap_slot);
  } else {
    const auto allocated = swap_->allocate();
    if (!allocated) return false;
    slot = *allocated;  // its first reference becomes the swap cache's
  }
  const std::vector<Mapping> rmap = f.rmap;
  bool dirty_page = !have_copy;
  for (const Mapping& m : rmap)
    dirty_page = dirty_page || m.space->read_pte(m.va).dirty();
  if (dirty_page) {
    const auto written =
        swap_->write(slot, frames_.memory().host(frame.address(), mmu::kPageBytes));
    if (!written) {
      std::fprintf(stderr, "vmlab: %s; no more pages will be swapped out\n",
                   written.error().c_str());
      swap_broken_ = true;
      if (!have_copy) swap_->release(slot);
      return false;
    }
  }
  f.swap_slot = static_cast<int32_t>(slot);
  swap_->cache(slot, frame);
  const Process* owner = first_mapper(rmap);
  // Every PTE becomes a swap entry holding one slot reference; the last one frees the frame.
  for (const Mapping& m : rmap) {
    swap_->duplicate(slot);
    m.space->set_swap_entry(m.va, slot);
  }
  if (dirty_page) {
    ++stats_.swap_outs;
    host_.charge(beneficiary(), CycleKind::kSwapWait, cycle_cost::kDiskWrite);
  } else {
    ++stats_.evict_clean;
  }
  KernelEvents::raise(
      events_.reclaim,
      ReclaimEvent{owner, rmap.empty() ? 0 : rmap.front().va, frame.value,
                   dirty_page ? ReclaimEvent::Kind::kSwapOut : ReclaimEvent::Kind::kEvictClean,
                   slot});
  return true;
}

}  // namespace vmlab::os
