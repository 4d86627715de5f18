#include "mmu/paging_structure_cache.h"

namespace vmlab::mmu {

namespace {
constexpr uint64_t kValid = 1;
constexpr unsigned kPcidShift = 1;
constexpr uint64_t kPcidField = uint64_t{0xfff} << kPcidShift;
constexpr unsigned kTagShift = 13;

size_t hint_count(uint32_t entries) {
  size_t n = 1;
  while (n < 2 * static_cast<size_t>(entries))
    n *= 2;
  return n;
}
}  // namespace

PagingStructureCache::PagingStructureCache(Level level, uint32_t entries)
    : level_(level), slots_(entries), hints_(hint_count(entries), 0) {}

uint64_t PagingStructureCache::key(VirtAddr va, uint16_t pcid) const {
  // An entry at `level` covers the region translated by one entry of that level.
  const uint64_t region =
      (va.value & ((uint64_t{1} << kLinearAddressBits) - 1)) >> level_shift(level_);
  return (region << kTagShift) | (static_cast<uint64_t>(pcid) << kPcidShift) | kValid;
}

size_t PagingStructureCache::hint_of(uint64_t k) const {
  return (k >> kTagShift) & (hints_.size() - 1);
}

const PagingStructureCache::Hit* PagingStructureCache::lookup(VirtAddr va, uint16_t pcid) {
  const uint64_t k = key(va, pcid);
  uint32_t& hint = hints_[hint_of(k)];
  if (hint < slots_.size() && slots_[hint].key == k) [[likely]] {
    slots_[hint].last_use = ++clock_;
    return &slots_[hint].hit;
  }
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].key == k) {
      hint = static_cast<uint32_t>(i);
      slots_[i].last_use = ++clock_;
      return &slots_[i].hit;
    }
  }
  return nullptr;
}

void PagingStructureCache::fill(VirtAddr va, uint16_t pcid, PhysAddr next_table,
                                const Permissions& rights) {
  if (slots_.empty()) return;
  const uint64_t k = key(va, pcid);
  Slot* target = nullptr;
  for (auto& slot : slots_)
    if (slot.key == k) target = &slot;
  if (target == nullptr) {
    target = &slots_[0];
    for (auto& slot : slots_) {
      if ((slot.key & kValid) == 0) {
        target = &slot;
        break;
      }
      if (slot.last_use < target->last_use) target = &slot;
    }
  }
  *target = Slot{k, ++clock_, Hit{next_table, rights}};
  hints_[hint_of(k)] = static_cast<uint32_t>(target - slots_.data());
}

void PagingStructureCache::invalidate_pcid(uint16_t pcid) {
  for (auto& slot : slots_)
    if ((slot.key & kPcidField) >> kPcidShift == pcid) slot.key = 0;
}

void PagingStructureCache::flush() {
  for (auto& slot : slots_)
    slot.key = 0;
}

}  // namespace vmlab::mmu
