#include "os/address_space.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "os/pte_encoding.h"

namespace vmlab::os {

using mmu::Level;
using mmu::Pfn;
using mmu::PhysAddr;
using mmu::Pte;

AddressSpace::AddressSpace(FrameAllocator& frames, TlbControl& tlb, uint16_t pcid)
    : tlb_(tlb), pcid_(pcid), tables_(frames, tlb, *this, huge_), huge_(tables_) {}

bool mapped_dirty(const Frame& frame) {
  return std::any_of(frame.rmap.begin(), frame.rmap.end(),
                     [](const Mapping& m) { return m.space->read_pte(m.va).dirty(); });
}

std::vector<uint64_t> AddressSpace::leaves_in(uint64_t start, uint64_t end) const {
  std::vector<uint64_t> pages;
  tables_.for_each_leaf_in(start, end, [&](uint64_t va, Pte) { pages.push_back(va); });
  return pages;
}

void AddressSpace::unmap_range(uint64_t start, uint64_t end) {
  const TlbControl::Batch batch(tlb_, *this);
  huge_.split_huge_in(start, end);
  vmas_.erase_range(start, end);
  for (uint64_t va : leaves_in(start, end))
    tables_.unmap_page(va);
}

bool AddressSpace::protect_range(uint64_t start, uint64_t end, uint32_t new_prot) {
  const TlbControl::Batch batch(tlb_, *this);
  for (uint64_t va = start; va < end;) {
    const Vma* v = vmas_.find(va);
    if (v == nullptr) return false;
    va = v->end;
  }
  huge_.split_huge_in(start, end);
  vmas_.update_range(start, end, [&](Vma& v) { v.prot = new_prot; });
  std::vector<std::pair<uint64_t, Pte>> entries;
  tables_.for_each_leaf_in(start, end, [&](uint64_t va, Pte e) {
    if (holds_frame(e)) entries.emplace_back(va, e);
  });
  for (const auto& [va, entry] : entries) {
    const Vma& vma = *vmas_.find(va);
    const auto slot = tables_.find_slot(va, Level::kPt);
    Pte resident = entry.present() ? entry : restore_prot_none(entry);
    const Pfn frame = resident.pfn();
    const Frame& f = tables_.frames().frame(frame);
    // A private page stays read-only while anyone else can see its frame: the next write
    // fault decides between copying and reusing it.
    const bool exclusive =
        vma.sharing == Sharing::kShared || (f.use == FrameUse::kAnonymous && f.refcount == 1);
    const LeafRights rights{vma.writable() && exclusive, vma.executable()};
    Pte updated = leaf_entry(frame, rights).with(resident.raw() & (Pte::kAccessed | Pte::kDirty));
    if (new_prot == prot::kNone) updated = make_prot_none(updated);
    tables_.write_leaf(va, *slot, entry, updated);
  }
  return true;
}

void AddressSpace::resize_vma(uint64_t start, uint64_t new_end) {
  Vma& v = vmas_.at(start);
  if (new_end < v.end) {
    huge_.split_huge_in(new_end, v.end);
    for (uint64_t va : leaves_in(new_end, v.end))
      tables_.unmap_page(va);
  }
  v.end = new_end;
  if (v.end == v.start) vmas_.erase(start);
}

bool AddressSpace::move_range(uint64_t old_start, uint64_t old_size, uint64_t new_start,
                              uint64_t new_size) {
  const uint64_t old_end = old_start + old_size;
  huge_.split_huge_in(old_start, old_end);
  std::optional<Vma> moved = vmas_.extract(old_start, old_end);
  if (!moved) return false;
  moved->start = new_start;
  moved->end = new_start + new_size;
  vmas_.insert(std::move(*moved));
  for (const uint64_t va : leaves_in(old_start, old_end)) {
    const uint64_t target = new_start + (va - old_start);
    if (target >= new_start + new_size) {
      tables_.unmap_page(va);  // shrinking move: the tail goes away
      continue;
    }
    if (!tables_.move_entry(va, target)) return false;
  }
  return true;
}

void AddressSpace::discard_range(uint64_t start, uint64_t end) {
  const TlbControl::Batch batch(tlb_, *this);
  huge_.split_huge_in(start, end);
  std::vector<uint64_t> pages;
  tables_.for_each_leaf_in(start, end, [&](uint64_t va, Pte) {
    const Vma* v = vmas_.find(va);
    // Shared anonymous memory has no other home than its frames: keep it.
    if (v != nullptr && !v->is_shmem()) pages.push_back(va);
  });
  for (uint64_t va : pages)
    tables_.unmap_page(va);
}

void AddressSpace::set_huge_advice(uint64_t start, uint64_t end, bool huge) {
  vmas_.update_range(start, end, [&](Vma& v) { v.huge_advised = huge; });
}

void AddressSpace::fork_into(AddressSpace& child, const std::function<void(uint64_t)>& dup_swap) {
  const TlbControl::Batch batch(tlb_, *this);
  // A huge page becomes copy-on-write at fork: it is split, and its 4 KiB pieces are shared.
  huge_.split_huge_in(0, layout::kUserTop);
  for (const auto& [start, vma] : vmas_.all())
    child.vmas_.insert(vma);
  // Consecutive pages share their page tables: both sides' PT of the current 2 MiB region are
  // looked up once. (Page tables are never freed while the space lives, so a reclaim triggered
  // by allocating a child table cannot invalidate them; it may change the parent's entries,
  // which are therefore read after the child's table exists.)
  constexpr uint64_t kRegionMask = ~((uint64_t{1} << mmu::level_shift(Level::kPd)) - 1);
  uint64_t region = ~uint64_t{0};
  PhysAddr parent_pt, child_pt;
  const Vma* vma = nullptr;
  FrameAllocator& frames = tables_.frames();
  for (const uint64_t va : leaves_in(0, layout::kUserTop)) {
    if ((va & kRegionMask) != region) {
      const auto child_slot = child.tables_.make_slot(va, Level::kPt);
      const auto parent_slot = tables_.find_slot(va, Level::kPt);
      if (!child_slot) throw std::runtime_error("out of memory copying page tables in fork");
      if (!parent_slot) continue;
      region = va & kRegionMask;
      const uint64_t offset = mmu::table_index(mmu::VirtAddr{va}, Level::kPt) * Pte::kBytes;
      child_pt = PhysAddr{child_slot->value - offset};
      parent_pt = PhysAddr{parent_slot->value - offset};
    }
    const uint64_t index = mmu::table_index(mmu::VirtAddr{va}, Level::kPt);
    const PhysAddr parent_entry = parent_pt + index * Pte::kBytes;
    const PhysAddr child_entry = child_pt + index * Pte::kBytes;
    const Pte entry = tables_.read_entry(parent_entry);
    if (entry.raw() == 0) continue;
    if (non_present_kind(entry) == NonPresentKind::kSwap) {
      dup_swap(swap_slot_of(entry));
      child.tables_.write_leaf(va, child_entry, Pte{}, entry);
      continue;
    }
    if (vma == nullptr || !vma->contains(va)) vma = vmas_.find(va);
    Pte copy = entry;
    if (vma != nullptr && vma->sharing == Sharing::kPrivate && entry.writable()) {
      // Copy-on-write: both sides lose write access; the first writer copies (or reuses).
      copy = entry.without(Pte::kWritable);
      tables_.write_leaf(va, parent_entry, entry, copy);
    }
    const Pfn frame = held_frame(copy);
    if (frames.frame(frame).use != FrameUse::kZero) frames.get(frame);
    child.tables_.write_leaf(va, child_entry, Pte{}, copy);
    child.tables_.rmap_add(frame, va);
  }
}

}  // namespace vmlab::os
