// A process's address space (Linux's mm_struct): its VMAs (os/vma_tree.h), the page tables
// that implement them (os/page_table_writer.h, the only writer of entries) and its huge pages
// (os/huge_pages.h). What it does itself are the operations that change both VMAs and
// entries: munmap, mprotect, brk and mremap resizes and moves, MADV_DONTNEED, fork's copy.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "mmu/address.h"
#include "mmu/pte.h"
#include "os/frame_allocator.h"
#include "os/huge_pages.h"
#include "os/page_table_writer.h"
#include "os/tlb_control.h"
#include "os/user_layout.h"
#include "os/vma.h"
#include "os/vma_tree.h"

namespace vmlab::os {

// Whether an entry mapping `frame` has its Dirty bit set. The reverse map lists only entries
// that hold the frame (present, or PROT_NONE, which keeps the bit).
bool mapped_dirty(const Frame& frame);

class AddressSpace {
 public:
  // A space with an empty PML4 (the user half only: no kernel mappings are linked in).
  AddressSpace(FrameAllocator& frames, TlbControl& tlb, uint16_t pcid);
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  mmu::PhysAddr root() const { return tables_.root(); }
  uint16_t pcid() const { return pcid_; }
  // The pid of the process this space belongs to (for reports and the reverse map's users).
  int owner() const { return owner_; }
  void set_owner(int pid) { owner_ = pid; }
  // The CPU contexts running this space (one per thread) hear of every entry change.
  void add_observer(PageTableObserver* observer) { tables_.add_observer(observer); }
  void remove_observer(PageTableObserver* observer) { tables_.remove_observer(observer); }
  const AddressSpaceStats& stats() const { return tables_.stats(); }

  // ---- VMAs (os/vma_tree.h) ----
  const Vma* find_vma(uint64_t va) const { return vmas_.find(va); }
  Vma* find_vma(uint64_t va) { return vmas_.find(va); }
  // First VMA that ends above va (Linux find_vma), or nullptr.
  const Vma* vma_above(uint64_t va) const { return vmas_.above(va); }
  const std::map<uint64_t, Vma>& vmas() const { return vmas_.all(); }
  // Inserts a VMA that must not overlap an existing one (the caller unmaps first).
  Vma& insert_vma(Vma vma) { return vmas_.insert(std::move(vma)); }
  // Lowest-level allocator for mmap(NULL, ...): the highest free gap of `length` bytes below
  // the mmap base (top-down, like Linux), or nullopt when the address space is full.
  std::optional<uint64_t> find_free_range(uint64_t length) const {
    return vmas_.find_free_range(length);
  }
  bool range_is_free(uint64_t start, uint64_t end) const { return vmas_.is_free(start, end); }
  bool range_is_usable(uint64_t start, uint64_t end) const {
    return start < end && start >= layout::kMmapMinAddr && end <= layout::kUserTop;
  }

  // ---- VMAs and their entries together ----
  // munmap: removes [start, end) from every VMA (splitting as needed) and frees its pages.
  void unmap_range(uint64_t start, uint64_t end);
  // mprotect on a fully mapped range; the entries take the new rights (COW pages stay
  // read-only). Returns false if part of the range is unmapped.
  bool protect_range(uint64_t start, uint64_t end, uint32_t new_prot);
  // Grows or shrinks a VMA in place (brk, mremap). `new_end` must not overlap another VMA.
  void resize_vma(uint64_t start, uint64_t new_end);
  // Extends a grows-down VMA so that it starts at `new_start`.
  void grow_down(uint64_t start, uint64_t new_start) { vmas_.move_start(start, new_start); }
  // mremap's move: the area [old_start, +old_size) becomes [new_start, +new_size) with the
  // same pages (no copy). The destination must be free. False when out of memory.
  bool move_range(uint64_t old_start, uint64_t old_size, uint64_t new_start, uint64_t new_size);
  // MADV_DONTNEED: drops the private pages of a range (they refault as zeros or file data).
  void discard_range(uint64_t start, uint64_t end);
  void set_huge_advice(uint64_t start, uint64_t end, bool huge);
  // Copies this space into `child` the way fork does: shared mappings share, private pages
  // become copy-on-write in both spaces, swap entries are duplicated via `dup_swap`.
  void fork_into(AddressSpace& child, const std::function<void(uint64_t slot)>& dup_swap);

  // ---- Transparent huge pages (os/huge_pages.h) ----
  void set_huge_counters(HugePageCounters* counters) { huge_.set_counters(counters); }
  bool pd_slot_empty(uint64_t base) const { return huge_.pd_slot_empty(base); }
  bool map_huge(uint64_t base, mmu::Pfn head, LeafRights rights) {
    return huge_.map_huge(base, head, rights);
  }
  bool split_huge(uint64_t va) { return huge_.split_huge(va); }

  // ---- Page-table entries (os/page_table_writer.h) ----
  mmu::Pte read_pte(uint64_t va) const { return tables_.read_pte(va); }
  bool map_page(uint64_t va, mmu::Pfn frame, LeafRights rights) {
    return tables_.map_page(va, frame, rights);
  }
  void set_rights(uint64_t va, LeafRights rights) { tables_.set_rights(va, rights); }
  void replace_frame(uint64_t va, mmu::Pfn frame, LeafRights rights) {
    tables_.replace_frame(va, frame, rights);
  }
  void unmap_page(uint64_t va) { tables_.unmap_page(va); }
  void set_swap_entry(uint64_t va, uint64_t slot) { tables_.set_swap_entry(va, slot); }
  bool test_and_clear_accessed(uint64_t va) { return tables_.test_and_clear_accessed(va); }
  bool test_and_clear_dirty(uint64_t va) { return tables_.test_and_clear_dirty(va); }
  void for_each_leaf(const std::function<void(uint64_t va, mmu::Pte entry)>& fn) const {
    tables_.for_each_leaf(fn);
  }
  void for_each_leaf_in(uint64_t start, uint64_t end,
                        const std::function<void(uint64_t va, mmu::Pte entry)>& fn) const {
    tables_.for_each_leaf_in(start, end, fn);
  }
  // Every paging-structure page of this space, children before parents.
  void for_each_table(const std::function<void(mmu::PhysAddr table)>& fn) const {
    tables_.for_each_table(fn);
  }
  void set_swap_release(std::function<void(uint64_t slot)> release) {
    tables_.set_swap_release(std::move(release));
  }

  // Leaf rights for a VMA's protection; private writable pages start read-only when shared.
  static LeafRights rights_for(const Vma& vma) {
    return LeafRights{vma.writable(), vma.executable()};
  }

 private:
  // Every non-empty entry of [start, end), collected first: changing entries while the walk
  // runs could free the tables it is in.
  std::vector<uint64_t> leaves_in(uint64_t start, uint64_t end) const;

  TlbControl& tlb_;
  uint16_t pcid_;
  int owner_ = 0;
  VmaTree vmas_;
  PageTableWriter tables_;  // its destructor frees the pages and tables, and tells the TLBs
  HugePages huge_;
};

}  // namespace vmlab::os
