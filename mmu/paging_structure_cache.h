// Paging-structure caches (Intel SDM Vol. 3 §4.10.3): small caches of upper-level entries that
// let a walk skip the levels above a page table. A PDE-cache hit leaves one memory reference
// (the PTE); a PDPTE-cache hit two; a PML4E-cache hit three.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/address.h"
#include "mmu/paging.h"
#include "mmu/pte.h"

namespace vmlab::mmu {

// One fully associative, LRU cache for entries of one level (PML4E, PDPTE or PDE). An entry
// maps the linear-address bits above that level to the physical address of the next table and
// the rights combined so far.
class PagingStructureCache {
 public:
  struct Hit {
    PhysAddr next_table;
    Permissions rights;
  };

  PagingStructureCache(Level level, uint32_t entries);

  Level level() const { return level_; }
  uint32_t capacity() const { return static_cast<uint32_t>(slots_.size()); }
  const Hit* lookup(VirtAddr va, uint16_t pcid);
  void fill(VirtAddr va, uint16_t pcid, PhysAddr next_table, const Permissions& rights);
  void invalidate_pcid(uint16_t pcid);
  void flush();

 private:
  struct Slot {
    uint64_t key = 0;  // bit 0 valid, bits 12:1 PCID, bits 63:13 address tag
    uint64_t last_use = 0;
    Hit hit;
  };
  uint64_t key(VirtAddr va, uint16_t pcid) const;
  // A guess at the slot holding a key, by its region's low bits: most lookups hit there and
  // skip the search. A guess is checked against the slot's key, so a stale one only costs the
  // search it would have saved; hits and misses are those of the full search.
  size_t hint_of(uint64_t k) const;

  Level level_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> hints_;  // a power of two, at least twice the slots
  uint64_t clock_ = 0;
};

}  // namespace vmlab::mmu
