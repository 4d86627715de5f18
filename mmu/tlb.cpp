#include "mmu/tlb.h"

#include <stdexcept>

namespace vmlab::mmu {

namespace {

uint32_t checked_sets(const TlbArrayConfig& c) {
  const std::string who = "TLB array '" + c.name + "': ";
  if (c.entries == 0) throw std::invalid_argument(who + "needs at least one entry");
  if (c.ways == 0) throw std::invalid_argument(who + "needs at least one way");
  if (c.entries % c.ways != 0)
    throw std::invalid_argument(who + std::to_string(c.entries) +
                                " entries are not a multiple of " + std::to_string(c.ways) +
                                " ways");
  if (c.page_sizes == 0 || c.page_sizes >= (1u << kPageSizeCount))
    throw std::invalid_argument(who + "must hold at least one of the page sizes 4K, 2M, 1G");
  return c.entries / c.ways;
}

}  // namespace

TlbArray::TlbArray(TlbArrayConfig config)
    : config_(std::move(config)),
      sets_(checked_sets(config_)),
      sets_is_pow2_((sets_ & (sets_ - 1)) == 0),
      entries_(config_.entries),
      valid_in_set_(sets_, 0),
      replacement_(config_.replacement, sets_, config_.ways, config_.seed) {
  // Probe small pages first: they are by far the most common hits.
  for (auto size : {PageSize::k4K, PageSize::k2M, PageSize::k1G})
    if (config_.holds(size)) sizes_[size_count_++] = size;
  for (auto size : {PageSize::k4K, PageSize::k2M, PageSize::k1G})
    fill_sizes_[static_cast<int>(size)] = largest_held_size(size);
}

uint32_t TlbArray::find_way(const TlbEntry* ways, uint64_t key) const {
  const uint32_t n = config_.ways;
  if (global_ == 0) [[likely]] {
    for (uint32_t w = 0; w < n; ++w)
      if (ways[w].key == key) return w;
    return n;
  }
  // A global entry serves every PCID.
  for (uint32_t w = 0; w < n; ++w) {
    const uint64_t diff = ways[w].key ^ key;
    if (diff == 0 || ((diff & ~TlbEntry::kPcidField) == 0 && ways[w].global())) return w;
  }
  return n;
}

const TlbEntry* TlbArray::lookup(VirtAddr va, uint16_t pcid) {
  if (const TlbEntry* e = lookup_recent(va, pcid)) return e;
  for (uint8_t i = 0; i < size_count_; ++i) {
    const PageSize size = sizes_[i];
    if (valid_by_size_[static_cast<int>(size)] == 0) continue;
    const uint64_t key = TlbEntry::make_key(va, size, pcid);
    const uint32_t set = set_index(va, size);
    TlbEntry* ways = way_ptr(set);
    const uint32_t w = find_way(ways, key);
    if (w == config_.ways) continue;
    replacement_.on_hit(set, w);
    if (ways[w].key == key && i == 0) note_recent(key, &ways[w], set, w);
    return &ways[w];
  }
  return nullptr;
}

const TlbEntry* TlbArray::peek(VirtAddr va, uint16_t pcid) const {
  for (uint8_t i = 0; i < size_count_; ++i) {
    const PageSize size = sizes_[i];
    const TlbEntry* ways = way_ptr(set_index(va, size));
    const uint32_t w = find_way(ways, TlbEntry::make_key(va, size, pcid));
    if (w != config_.ways) return &ways[w];
  }
  return nullptr;
}

PageSize TlbArray::largest_held_size(PageSize size) const {
  // The largest held size not above `size`; sizes_ is ascending. A result above `size` means
  // nothing fits.
  PageSize best = PageSize::k1G;
  bool found = false;
  for (uint8_t i = 0; i < size_count_; ++i) {
    if (sizes_[i] <= size) {
      best = sizes_[i];
      found = true;
    }
  }
  return found ? best : static_cast<PageSize>(kPageSizeCount);
}

inline uint32_t TlbArray::way_for(uint32_t set, uint64_t key, bool may_hold) {
  const TlbEntry* ways = way_ptr(set);
  const uint32_t n = config_.ways;
  if (may_hold) {
    for (uint32_t w = 0; w < n; ++w)
      if (ways[w].key == key) return w;  // refresh in place, never hold two copies
  }
  if (valid_in_set_[set] < n) {
    for (uint32_t w = 0; w < n; ++w)
      if (!ways[w].valid()) return w;
  }
  return replacement_.victim(set);
}

bool TlbArray::insert(const TlbFill& fill, uint16_t pcid, bool may_hold) {
  const PageSize size = fill_size(fill.size);
  if (size > fill.size) [[unlikely]]
    return false;
  TlbEntry entry;
  entry.key = TlbEntry::make_key(fill.va, size, pcid);
  // A splintered entry maps the part of the large page that contains va.
  const PhysAddr frame = fill.frame + (fill.va.page_offset(fill.size) & ~page_offset_mask(size));
  entry.payload = frame.value | (fill.global ? TlbEntry::kGlobal : 0) |
                  (fill.permissions.writable ? TlbEntry::kWritable : 0) |
                  (fill.permissions.user ? TlbEntry::kUser : 0) |
                  (fill.permissions.executable ? TlbEntry::kExecutable : 0) |
                  (fill.dirty ? TlbEntry::kDirty : 0);
  const uint32_t set = set_index(fill.va, size);
  TlbEntry* ways = way_ptr(set);
  const uint32_t way = way_for(set, entry.key, may_hold);
  TlbEntry& slot = ways[way];
  if (slot.valid()) {
    // A replacement: the counts change only where the two entries differ.
    if (slot.size() != size) {
      --valid_by_size_[static_cast<int>(slot.size())];
      ++valid_by_size_[static_cast<int>(size)];
    }
    if (slot.global() != fill.global) global_ += fill.global ? 1u : ~0u;
  } else {
    count(entry, set, true);
  }
  slot = entry;
  replacement_.on_fill(set, way);
  // The next access to this page is most likely the same instruction's next one.
  if (size == sizes_[0]) note_recent(entry.key, &ways[way], set, way);
  return true;
}

template <typename Pred>
uint32_t TlbArray::invalidate_if(Pred pred) {
  uint32_t dropped = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    TlbEntry& e = entries_[i];
    if (e.valid() && pred(e)) {
      count(e, static_cast<uint32_t>(i / config_.ways), false);
      e.key = 0;
      ++dropped;
    }
  }
  return dropped;
}

template <typename Pred>
uint32_t TlbArray::invalidate_covering(VirtAddr va, Pred pred) {
  uint32_t dropped = 0;
  for (uint8_t i = 0; i < size_count_; ++i) {
    const PageSize size = sizes_[i];
    const uint64_t tag = TlbEntry::tag(va, size);
    const uint32_t set = set_index(va, size);
    TlbEntry* ways = way_ptr(set);
    for (uint32_t w = 0; w < config_.ways; ++w) {
      TlbEntry& e = ways[w];
      if (e.valid() && e.size() == size && (e.key >> TlbEntry::kTagShift) == tag && pred(e)) {
        count(e, set, false);
        e.key = 0;
        ++dropped;
      }
    }
  }
  return dropped;
}

uint32_t TlbArray::invalidate_page(VirtAddr va, uint16_t pcid) {
  return invalidate_covering(va,
                             [pcid](const TlbEntry& e) { return e.global() || e.pcid() == pcid; });
}

uint32_t TlbArray::invalidate_address(VirtAddr va, uint16_t pcid) {
  return invalidate_covering(va,
                             [pcid](const TlbEntry& e) { return !e.global() && e.pcid() == pcid; });
}

uint32_t TlbArray::invalidate_pcid(uint16_t pcid) {
  return invalidate_if([pcid](const TlbEntry& e) { return !e.global() && e.pcid() == pcid; });
}

uint32_t TlbArray::flush(bool include_global) {
  return invalidate_if(
      [include_global](const TlbEntry& e) { return include_global || !e.global(); });
}

uint32_t TlbArray::valid_entries() const {
  return valid_;
}

}  // namespace vmlab::mmu
