#include "os/huge_pages.h"

#include <stdexcept>
#include <vector>

namespace vmlab::os {

using mmu::Level;
using mmu::Pte;

bool HugePages::pd_slot_empty(uint64_t base) const {
  const auto s = tables_.find_slot(base, Level::kPd);
  return !s || tables_.read_entry(*s).raw() == 0;
}

bool HugePages::map_huge(uint64_t base, mmu::Pfn head, LeafRights rights) {
  const auto s = tables_.make_slot(base, Level::kPd);
  if (!s) return false;
  const Pte before = tables_.read_entry(*s);
  if (before.raw() != 0) throw std::logic_error("map_huge over an existing page table");
  tables_.write_leaf(base, *s, before, leaf_entry(head, rights).with(Pte::kPageSize));
  tables_.rmap_add(head, base);
  if (counters_ != nullptr) ++counters_->huge_faults;
  return true;
}

bool HugePages::split_huge(uint64_t va) {
  const uint64_t base = va & ~mmu::page_offset_mask(mmu::PageSize::k2M);
  const auto pde_slot = tables_.find_slot(base, Level::kPd);
  if (!pde_slot) return true;
  const Pte pde = tables_.read_entry(*pde_slot);
  if (!pde.present() || !pde.page_size()) return true;
  if (!tables_.expand_huge_leaf(base, *pde_slot, pde)) return false;
  if (counters_ != nullptr) ++counters_->huge_splits;
  return true;
}

void HugePages::split_huge_in(uint64_t start, uint64_t end) {
  // A space without 2 MiB leaves (most of them) has nothing to split: no scan of its tables.
  // The count is kept as leaves change and checked against the tables by
  // check_memory_invariants().
  if (tables_.stats().huge == 0) return;
  std::vector<uint64_t> huge;
  tables_.for_each_leaf_in(start, end, [&](uint64_t va, Pte e) {
    if (e.page_size()) huge.push_back(va);
  });
  for (uint64_t va : huge)
    split_huge(va);
}

}  // namespace vmlab::os
