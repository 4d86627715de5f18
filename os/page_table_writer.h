// The 4-level page tables of one address space, and the only code that writes their entries
// (the page-table side of Linux's mm/memory.c: set_pte_at, zap_pte_range, the rmap calls).
//
// Every entry it changes is reported to the CPUs that run the space (PageTableObserver: the
// engine's own TLB) and, when the change takes rights away, to the modelled TLBs
// (TlbControl), so no stale translation survives a downgrade. Each write also keeps the
// space's resident and swapped counters and the frames' reverse maps.
//
// Two walks reach an entry: find_slot is const and never changes a table (what readers, the
// reverse map and /proc use); make_slot creates the tables on the way (what a new mapping
// needs) and so may allocate, and reclaim, memory.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "mmu/address.h"
#include "mmu/paging.h"
#include "mmu/pte.h"
#include "os/frame_allocator.h"
#include "os/tlb_control.h"

namespace vmlab::os {

class AddressSpace;

// Told about every leaf entry change, before the change can be observed by the CPU.
class PageTableObserver {
 public:
  virtual ~PageTableObserver() = default;
  virtual void pte_changed(uint64_t va, mmu::PageSize size, mmu::Pte before, mmu::Pte after) = 0;
  // The translation of va changed shape, not content (a huge page split into small ones).
  virtual void invalidate(uint64_t va) = 0;
};

// Splits the 2 MiB leaf covering va into 512 small entries (os/huge_pages.h): the allocating
// walk needs it to reach below a huge page. False when no frame for the table can be found.
class HugeLeafSplitter {
 public:
  virtual bool split_huge(uint64_t va) = 0;

 protected:
  ~HugeLeafSplitter() = default;
};

// Rights of a leaf entry, derived from a VMA's protection.
struct LeafRights {
  bool writable = false;
  bool executable = false;
};

// A present user leaf for `frame` with `rights` (no A/D bits yet).
mmu::Pte leaf_entry(mmu::Pfn frame, LeafRights rights);

// Kept as entries change; equal to resident_set() (os/residency.h), which --check verifies.
struct AddressSpaceStats {
  uint64_t resident = 0;  // pages (4 KiB units) counted in RSS (os/residency.h)
  uint64_t peak_resident = 0;
  uint64_t swapped = 0;  // swap entries
  uint64_t huge = 0;     // 2 MiB leaves
};

class PageTableWriter {
 public:
  // An empty PML4 (the user half only: no kernel mappings are linked in). `space` is the
  // identity the reverse map and the TLBs know these tables by.
  PageTableWriter(FrameAllocator& frames, TlbControl& tlb, AddressSpace& space,
                  HugeLeafSplitter& splitter);
  // Drops every leaf, then the tables themselves.
  ~PageTableWriter();
  PageTableWriter(const PageTableWriter&) = delete;
  PageTableWriter& operator=(const PageTableWriter&) = delete;

  mmu::PhysAddr root() const { return root_.address(); }
  FrameAllocator& frames() const { return frames_; }
  const AddressSpaceStats& stats() const { return stats_; }
  void add_observer(PageTableObserver* observer) { observers_.push_back(observer); }
  void remove_observer(PageTableObserver* observer) { std::erase(observers_, observer); }
  // Called with each swap slot referenced by an entry removed by unmap (the swap layer drops
  // its reference).
  void set_swap_release(std::function<void(uint64_t slot)> release) {
    swap_release_ = std::move(release);
  }

  // ---- Walks ----
  // The slot of va's entry at `level`, or of the huge leaf that covers va on the way; nullopt
  // when a table is missing. Changes nothing.
  std::optional<mmu::PhysAddr> find_slot(uint64_t va, mmu::Level level) const;
  // The slot of va's entry at `level`, creating missing tables and splitting a huge leaf on
  // the way; nullopt when out of memory.
  std::optional<mmu::PhysAddr> make_slot(uint64_t va, mmu::Level level);
  mmu::Pte read_entry(mmu::PhysAddr slot) const;
  // The leaf entry for va (a 4 KiB PTE, or a 2 MiB PDE with PS set); Pte{} when no table
  // exists.
  mmu::Pte read_pte(uint64_t va) const;

  // ---- Leaf entries ----
  // Writes `after` where `before` was, keeping the counters and telling the CPUs.
  void write_leaf(uint64_t va, mmu::PhysAddr slot, mmu::Pte before, mmu::Pte after);
  // Maps va to a frame the caller holds one reference on (the reference moves to the mapping).
  // Returns false if a page table could not be allocated (out of memory).
  bool map_page(uint64_t va, mmu::Pfn frame, LeafRights rights);
  // Changes the rights of a present leaf (write-protect for COW, mprotect).
  void set_rights(uint64_t va, LeafRights rights);
  // Replaces the frame behind va (COW copy); the old frame loses this mapping's reference.
  void replace_frame(uint64_t va, mmu::Pfn frame, LeafRights rights);
  // Removes the leaf at va and drops its frame reference (or swap reference).
  void unmap_page(uint64_t va);
  // Moves the entry at `from` to `to`, which must be empty (mremap). False when out of memory.
  bool move_entry(uint64_t from, uint64_t to);
  // Installs a swap entry where a present page was (reclaim); the frame reference is dropped.
  void set_swap_entry(uint64_t va, uint64_t slot);
  // Clears the Accessed bit and invalidates (CLOCK's harvest). Returns the previous A bit.
  bool test_and_clear_accessed(uint64_t va);
  // Clears the Dirty bit and invalidates (after write-back). Returns the previous D bit.
  bool test_and_clear_dirty(uint64_t va);
  // Replaces the 2 MiB leaf `pde` at `pde_slot` by a page table of 512 entries for the same
  // frames, rights and A/D bits. False when no frame for the table can be found.
  bool expand_huge_leaf(uint64_t base, mmu::PhysAddr pde_slot, mmu::Pte pde);

  // ---- Reverse map ----
  void rmap_add(mmu::Pfn frame, uint64_t va);
  void rmap_remove(mmu::Pfn frame, uint64_t va);

  // ---- Iteration ----
  // Calls fn(va, entry) for every leaf entry that is not empty (present, swap or PROT_NONE),
  // in ascending address order.
  void for_each_leaf(const std::function<void(uint64_t va, mmu::Pte entry)>& fn) const;
  void for_each_leaf_in(uint64_t start, uint64_t end,
                        const std::function<void(uint64_t va, mmu::Pte entry)>& fn) const;
  // Calls fn with every paging-structure page, children before parents.
  void for_each_table(const std::function<void(mmu::PhysAddr table)>& fn) const;

 private:
  // Sets A or D aside and tells the CPUs: they would otherwise keep using the old bit.
  bool test_and_clear(uint64_t va, uint64_t bit);
  void drop_entry(uint64_t va, mmu::Pte entry);
  void visit_tables(mmu::PhysAddr table, int level,
                    const std::function<void(mmu::PhysAddr)>& fn) const;
  void walk_leaves(mmu::PhysAddr table, int level, uint64_t base, uint64_t lo, uint64_t hi,
                   const std::function<void(uint64_t, mmu::Pte)>& fn) const;
  // The table slot for va at `lvl` inside `table`.
  static mmu::PhysAddr entry_in(mmu::PhysAddr table, uint64_t va, int lvl);

  FrameAllocator& frames_;
  TlbControl& tlb_;
  AddressSpace& space_;
  HugeLeafSplitter& splitter_;
  mmu::Pte root_;
  std::vector<PageTableObserver*> observers_;
  AddressSpaceStats stats_;
  std::function<void(uint64_t)> swap_release_;
};

}  // namespace vmlab::os
