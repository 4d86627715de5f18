// One set-associative TLB array: any entry count and associativity, one or more page sizes,
// PCID tags and global entries, with the invalidation semantics of INVLPG, INVPCID and CR3
// writes (Intel SDM Vol. 3 §4.10.4).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mmu/address.h"
#include "mmu/cache_line.h"
#include "mmu/paging.h"
#include "mmu/replacement.h"

namespace vmlab::mmu {

struct TlbArrayConfig {
  std::string name = "tlb";
  uint32_t entries = 64;
  uint32_t ways = 4;
  uint8_t page_sizes = 1u << static_cast<unsigned>(PageSize::k4K);  // bit per PageSize
  Replacement replacement = Replacement::kLru;
  uint64_t seed = 1;  // for Replacement::kRandom

  bool holds(PageSize size) const { return (page_sizes >> static_cast<unsigned>(size)) & 1u; }
};

// What a hit returns: enough to finish the translation and check the access. Two words, so
// that a 4-way set fills one 64-byte cache line and a search of a 12-way set touches three.
struct TlbEntry {
  // key: bit 0 valid, bits 2:1 page size, bits 15:4 PCID, bits 63:16 virtual page number at
  // the entry's page size. Comparing one word finds a match.
  uint64_t key = 0;
  // The physical base of the page, with the flags below in its low bits (a page's base is
  // 4 KiB-aligned, like a PTE's address field).
  uint64_t payload = 0;

  static constexpr uint64_t kValidBit = 1;
  static constexpr unsigned kSizeShift = 1;
  static constexpr unsigned kPcidShift = 4;
  static constexpr uint64_t kPcidField = uint64_t{0xfff} << kPcidShift;
  static constexpr unsigned kTagShift = 16;

  static constexpr uint8_t kGlobal = 1u << 0;
  static constexpr uint8_t kWritable = 1u << 1;
  static constexpr uint8_t kUser = 1u << 2;
  static constexpr uint8_t kExecutable = 1u << 3;
  static constexpr uint8_t kDirty = 1u << 4;
  static constexpr uint64_t kFlagsMask = 0xff;
  static_assert(kFlagsMask <= kPageOffsetMask, "the flags share the payload with the frame");

  bool valid() const { return key & kValidBit; }
  PhysAddr frame() const { return PhysAddr{payload & ~kFlagsMask}; }
  uint8_t flags() const { return static_cast<uint8_t>(payload & kFlagsMask); }
  PageSize size() const { return static_cast<PageSize>((key >> kSizeShift) & 3u); }
  uint16_t pcid() const { return static_cast<uint16_t>((key & kPcidField) >> kPcidShift); }
  bool global() const { return payload & kGlobal; }
  Permissions permissions() const {
    return {(payload & kWritable) != 0, (payload & kUser) != 0, (payload & kExecutable) != 0};
  }
  bool dirty() const { return payload & kDirty; }
  PhysAddr translate(VirtAddr va) const { return frame() + va.page_offset(size()); }

  // Canonical addresses are determined by their low 48 bits, which fit the tag field.
  static uint64_t tag(VirtAddr va, PageSize size) {
    return (va.value & ((uint64_t{1} << kLinearAddressBits) - 1)) >> page_shift(size);
  }
  static uint64_t make_key(VirtAddr va, PageSize size, uint16_t pcid) {
    return (tag(va, size) << kTagShift) | (static_cast<uint64_t>(pcid) << kPcidShift) |
           (static_cast<uint64_t>(size) << kSizeShift) | kValidBit;
  }
};

static_assert(sizeof(TlbEntry) == 16);

// A translation to insert. `size` is the size of the page the walk found; arrays that do not
// hold that size store the largest smaller size they hold (as hardware splinters 1 GiB pages).
struct TlbFill {
  VirtAddr va;
  PageSize size = PageSize::k4K;
  PhysAddr frame;  // base of the page of `size`
  Permissions permissions;
  bool global = false;
  bool dirty = false;
};

class TlbArray {
 public:
  // Throws std::invalid_argument with the array's name for impossible geometries.
  explicit TlbArray(TlbArrayConfig config);

  const TlbArrayConfig& config() const { return config_; }
  uint32_t sets() const { return sets_; }
  uint32_t ways() const { return config_.ways; }
  uint32_t set_index(VirtAddr va, PageSize size) const {
    const uint64_t vpn = va.value >> page_shift(size);
    return static_cast<uint32_t>(sets_is_pow2_ ? (vpn & (sets_ - 1)) : (vpn % sets_));
  }

  // Finds the entry translating `va` for `pcid` (global entries match any PCID) and records
  // the use with the replacement policy. nullptr on a miss.
  const TlbEntry* lookup(VirtAddr va, uint16_t pcid);
  // The hit path of lookup() for the pages of the two previous hits, inline: nullptr when it
  // is neither (call lookup() then). Two, because code often alternates between two pages
  // (a row and a column, a source and a destination).
  const TlbEntry* lookup_recent(VirtAddr va, uint16_t pcid) {
    const uint64_t key = TlbEntry::make_key(va, sizes_[0], pcid);
    if (key == recent_[0].key && recent_[0].entry->key == key) [[likely]] {
      replacement_.on_hit(recent_[0].set, recent_[0].way);
      return recent_[0].entry;
    }
    if (key != recent_[1].key || recent_[1].entry->key != key) return nullptr;
    std::swap(recent_[0], recent_[1]);  // recent_[0] is the last hit
    replacement_.on_hit(recent_[0].set, recent_[0].way);
    return recent_[0].entry;
  }
  // The entry lookup_recent() would return for `va`, without recording a use: the entry of
  // the last hit or fill.
  const TlbEntry* recent_entry(VirtAddr va, uint16_t pcid) const {
    const uint64_t key = TlbEntry::make_key(va, sizes_[0], pcid);
    return key == recent_[0].key && recent_[0].entry->key == key ? recent_[0].entry : nullptr;
  }
  // The entry of the hit or fill before the last, if it still holds the page of key `key`.
  const TlbEntry* previous_entry(uint64_t key) const {
    return key == recent_[1].key && recent_[1].entry->key == key ? recent_[1].entry : nullptr;
  }
  // The key recent_entry() compares for `va`.
  uint64_t recent_key(VirtAddr va, uint16_t pcid) const {
    return TlbEntry::make_key(va, sizes_[0], pcid);
  }
  // Hits on the entries of the last two hits, as lookup_recent() would record them: with
  // `swap`, the entry before the last was hit last. `earlier` hits on either entry, the last of
  // them on the other one, come before `last` hits in a row on the entry hit last; the
  // replacement state depends only on those counts and that order.
  void repeat_recent_hits(bool swap, uint64_t earlier, uint64_t last) {
    if (swap) std::swap(recent_[0], recent_[1]);
    if (earlier != 0) replacement_.on_hits(recent_[1].set, recent_[1].way, earlier);
    if (last != 0) replacement_.on_hits(recent_[0].set, recent_[0].way, last);
  }
  Replacement replacement() const { return replacement_.kind(); }
  // The same search with no replacement update (debuggers, tests).
  const TlbEntry* peek(VirtAddr va, uint16_t pcid) const;

  // Whether this array can hold some page of a translation of `size`.
  bool can_hold(PageSize size) const { return fill_size(size) <= size; }
  // Inserts or refreshes the translation. Returns false if no held size fits.
  bool fill(const TlbFill& fill, uint16_t pcid) { return insert(fill, pcid, true); }
  // fill() of a page this array has just been searched for and does not hold (a lookup of the
  // same address and PCID missed, and nothing changed the array since): no refresh to look for.
  bool fill_absent(const TlbFill& fill, uint16_t pcid) { return insert(fill, pcid, false); }
  // No valid entries: every lookup misses.
  bool empty() const { return valid_ == 0; }

  // INVLPG: entries covering `va` tagged `pcid`, and global entries covering `va`.
  uint32_t invalidate_page(VirtAddr va, uint16_t pcid);
  // INVPCID type 0: non-global entries covering `va` tagged `pcid`.
  uint32_t invalidate_address(VirtAddr va, uint16_t pcid);
  // INVPCID type 1 / CR3 write: non-global entries tagged `pcid`.
  uint32_t invalidate_pcid(uint16_t pcid);
  // INVPCID type 2 (include_global) and type 3, CR4.PGE toggles.
  uint32_t flush(bool include_global);

  uint32_t valid_entries() const;
  void set_custom_replacement(std::shared_ptr<CustomReplacement> custom) {
    replacement_.set_custom(std::move(custom));
  }

 private:
  // The size an entry for a page of `size` takes: the largest held size not above it, or a
  // size above it when none fits.
  PageSize fill_size(PageSize size) const { return fill_sizes_[static_cast<int>(size)]; }
  PageSize largest_held_size(PageSize size) const;
  bool insert(const TlbFill& fill, uint16_t pcid, bool may_hold);
  // The way a new entry of `key` takes in `set`: its own (may_hold), else a free one, else the
  // replacement policy's victim. Always inlined into insert(): every miss fills twice.
  [[gnu::always_inline]] uint32_t way_for(uint32_t set, uint64_t key, bool may_hold);
  TlbEntry* way_ptr(uint32_t set) { return &entries_[static_cast<size_t>(set) * config_.ways]; }
  const TlbEntry* way_ptr(uint32_t set) const {
    return &entries_[static_cast<size_t>(set) * config_.ways];
  }
  template <typename Pred>
  uint32_t invalidate_if(Pred pred);
  template <typename Pred>
  uint32_t invalidate_covering(VirtAddr va, Pred pred);

  // The entries of the last two hits or fills of the smallest size held (recent_[0] the
  // last), re-checked by key: accesses to those pages skip the search (the result and the
  // replacement update are exactly those of a full lookup).
  struct Recent {
    uint64_t key = 0;  // never a valid entry's key
    TlbEntry* entry = nullptr;
    uint32_t set = 0;
    uint32_t way = 0;
  };
  Recent recent_[2];
  void note_recent(uint64_t key, TlbEntry* entry, uint32_t set, uint32_t way) {
    recent_[1] = recent_[0];
    recent_[0] = Recent{key, entry, set, way};
  }

  TlbArrayConfig config_;
  uint32_t sets_;
  bool sets_is_pow2_;
  PageSize sizes_[kPageSizeCount];
  uint8_t size_count_ = 0;
  PageSize fill_sizes_[kPageSizeCount] = {};  // fill_size(), by page size
  CacheLineVector<TlbEntry> entries_;
  // Valid entries, by page size and global: a size the array holds none of is not searched
  // (the 2M sets of a program without huge pages), and without global entries a search
  // compares whole keys only.
  uint32_t valid_ = 0;
  uint32_t valid_by_size_[kPageSizeCount] = {};
  uint32_t global_ = 0;
  std::vector<uint32_t> valid_in_set_;  // a full set needs no search for a free way
  void count(const TlbEntry& e, uint32_t set, bool added) {
    const uint32_t delta = added ? 1u : ~0u;  // +1 or -1, modulo 2^32
    valid_ += delta;
    valid_in_set_[set] += delta;
    valid_by_size_[static_cast<int>(e.size())] += delta;
    if (e.global()) global_ += delta;
  }
  // The way of the entry serving `key` in a set, or ways.
  uint32_t find_way(const TlbEntry* ways, uint64_t key) const;
  ReplacementState replacement_;
};

}  // namespace vmlab::mmu
