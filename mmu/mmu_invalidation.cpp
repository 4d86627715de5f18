// The MMU's invalidation entry points, with the semantics of Intel SDM Vol. 3 §4.10.4: CR3
// loads (with and without PCIDs), INVLPG, the four INVPCID types, and flushes of everything.
// Each drops what the instruction drops from every TLB array and paging-structure cache, counts
// it, and tells the observer.
#include "mmu/mmu.h"

namespace vmlab::mmu {

template <typename Invalidate>
uint32_t Mmu::drop_in_arrays(Invalidate invalidate) {
  uint32_t dropped = 0;
  for (auto& level : arrays_)
    for (auto& array : level)
      dropped += invalidate(array);
  return dropped;
}

void Mmu::drop_page_everywhere(VirtAddr va, uint16_t pcid) {
  counters_.entries_invalidated +=
      drop_in_arrays([&](TlbArray& array) { return array.invalidate_page(va, pcid); });
}

void Mmu::notify_invalidation(InvalidationKind kind, VirtAddr va, uint16_t pcid, uint32_t dropped) {
  counters_.entries_invalidated += dropped;
  if (observer_ != nullptr) observer_->on_invalidation({kind, va, pcid, dropped});
}

void Mmu::load_cr3(PhysAddr root, uint16_t pcid, bool no_flush) {
  begin_change();
  ++counters_.cr3_loads;
  control_.root = root;
  control_.pcid = control_.pcid_enabled ? pcid : 0;
  if (control_.pcid_enabled && no_flush) {
    notify_invalidation(InvalidationKind::kCr3Load, VirtAddr{}, control_.pcid, 0);
    return;
  }
  // Without PCIDs all non-global entries go (they all carry PCID 0); with PCIDs, those of the
  // new PCID. Paging-structure caches behave the same way (SDM §4.10.4.1).
  ++counters_.cr3_flushes;
  const uint16_t current = control_.pcid;
  const uint32_t dropped =
      drop_in_arrays([current](TlbArray& array) { return array.invalidate_pcid(current); });
  for (auto& cache : psc_)
    cache.invalidate_pcid(current);
  notify_invalidation(InvalidationKind::kCr3Load, VirtAddr{}, current, dropped);
}

void Mmu::invlpg(VirtAddr va) {
  begin_change();
  ++counters_.invlpg;
  const uint16_t current = control_.pcid;
  const uint32_t dropped =
      drop_in_arrays([&](TlbArray& array) { return array.invalidate_page(va, current); });
  // INVLPG also drops every paging-structure-cache entry of the current PCID.
  for (auto& cache : psc_)
    cache.invalidate_pcid(current);
  notify_invalidation(InvalidationKind::kInvlpg, va, current, dropped);
}

void Mmu::invpcid(InvpcidType type, uint16_t pcid, VirtAddr va) {
  begin_change();
  ++counters_.invpcid;
  uint32_t dropped = 0;
  switch (type) {
    case InvpcidType::kIndividualAddress:
      dropped = drop_in_arrays([&](TlbArray& array) { return array.invalidate_address(va, pcid); });
      for (auto& cache : psc_)
        cache.invalidate_pcid(pcid);
      notify_invalidation(InvalidationKind::kInvpcidAddress, va, pcid, dropped);
      return;
    case InvpcidType::kSingleContext:
      dropped = drop_in_arrays([pcid](TlbArray& array) { return array.invalidate_pcid(pcid); });
      for (auto& cache : psc_)
        cache.invalidate_pcid(pcid);
      notify_invalidation(InvalidationKind::kInvpcidContext, va, pcid, dropped);
      return;
    case InvpcidType::kAllContextsIncludingGlobal:
      flush_all(true);
      return;
    case InvpcidType::kAllContextsExceptGlobal:
      flush_all(false);
      return;
  }
}

void Mmu::flush_all(bool include_global) {
  begin_change();
  ++counters_.full_flushes;
  const uint32_t dropped =
      drop_in_arrays([include_global](TlbArray& array) { return array.flush(include_global); });
  for (auto& cache : psc_)
    cache.flush();
  notify_invalidation(
      include_global ? InvalidationKind::kFlushAll : InvalidationKind::kFlushNonGlobal, VirtAddr{},
      control_.pcid, dropped);
}

}  // namespace vmlab::mmu
