// Transparent huge pages of one address space (Linux's mm/huge_memory.c): a 2 MiB leaf
// mapped by a fault, and split into 512 small entries when part of it must change (a
// partial unmap or protect, fork, reclaim, a walk that needs the table below it).
#pragma once

#include <cstdint>

#include "mmu/pte.h"
#include "mmu/stat_registry.h"
#include "os/page_table_writer.h"

namespace vmlab::os {

// Transparent huge pages, counted machine-wide.
// X(field, key in "huge_pages", unit, description)
#define VMLAB_HUGE_PAGE_STATS(X)                                     \
  X(huge_faults, "mapped", "pages", "2 MiB pages mapped by a fault") \
  X(huge_splits, "splits", "pages",                                  \
    "2 MiB pages split into 512 small pages (partial unmap or protect, fork, reclaim)")

struct HugePageCounters {
  VMLAB_HUGE_PAGE_STATS(VMLAB_COUNTER_MEMBER)
};

inline constexpr mmu::CounterField<HugePageCounters> kHugePageStats[] = {
#define VMLAB_HUGE_PAGE_ENTRY(field, key, unit, description) \
  {{key, unit, mmu::StatScope::kMachine, description}, &HugePageCounters::field},
    VMLAB_HUGE_PAGE_STATS(VMLAB_HUGE_PAGE_ENTRY)
#undef VMLAB_HUGE_PAGE_ENTRY
};

class HugePages final : public HugeLeafSplitter {
 public:
  explicit HugePages(PageTableWriter& tables) : tables_(tables) {}

  void set_counters(HugePageCounters* counters) { counters_ = counters; }
  // Whether the 2 MiB region at `base` has no page table or huge page yet.
  bool pd_slot_empty(uint64_t base) const;
  // Maps the 2 MiB page at `base` (PS in the PDE) to an order-9 block the caller allocated.
  bool map_huge(uint64_t base, mmu::Pfn head, LeafRights rights);
  // Replaces the huge leaf covering va by a page table of 512 entries for the same frames
  // (nothing to do when va is not in one). False when no frame for the table can be found.
  bool split_huge(uint64_t va) override;
  // Splits every huge leaf that overlaps [start, end).
  void split_huge_in(uint64_t start, uint64_t end);

 private:
  PageTableWriter& tables_;
  HugePageCounters* counters_ = nullptr;
};

}  // namespace vmlab::os
