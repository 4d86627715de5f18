// A process's address space: its VMAs and the 4-level page tables that implement them.
//
// This class is the only writer of page-table entries. Every entry it changes is reported to
// the CPU that runs the space (PageTableObserver: the engine's own TLB) and, when
// the change takes rights away, to the modelled TLBs (TlbControl), so no stale translation
// survives a downgrade.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "mmu/address.h"
#include "mmu/pte.h"
#include "mmu/stat_registry.h"
#include "os/frame_allocator.h"
#include "os/tlb_control.h"
#include "os/vma.h"

namespace vmlab::os {

// Told about every leaf entry change, before the change can be observed by the CPU.
class PageTableObserver {
 public:
  virtual ~PageTableObserver() = default;
  virtual void pte_changed(uint64_t va, mmu::PageSize size, mmu::Pte before, mmu::Pte after) = 0;
  // The translation of va changed shape, not content (a huge page split into small ones).
  virtual void invalidate(uint64_t va) = 0;
};

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

// User address-space layout (x86-64 Linux without randomisation).
namespace layout {
inline constexpr uint64_t kMmapMinAddr = 0x10000;                  // vm.mmap_min_addr
inline constexpr uint64_t kUserTop = 0x7fff'ffff'f000;             // TASK_SIZE - one guard page
inline constexpr uint64_t kStackTop = kUserTop;                    // STACK_TOP
inline constexpr uint64_t kMmapBase = 0x7fff'f7ff'f000;            // below a 128 MiB stack gap
inline constexpr uint64_t kDynamicBase = 0x5555'5555'4000;         // ELF_ET_DYN_BASE (static-pie)
inline constexpr uint64_t kStackGuardGap = 256 * mmu::kPageBytes;  // stack_guard_gap
inline constexpr uint64_t kStackMax = 8 << 20;                     // RLIMIT_STACK default
}  // namespace layout

// Rights of a leaf entry, derived from a VMA's protection.
struct LeafRights {
  bool writable = false;
  bool executable = false;
};

// Kept as entries change; equal to resident_set() (os/residency.h), which --check verifies.
struct AddressSpaceStats {
  uint64_t resident = 0;  // pages (4 KiB units) counted in RSS (os/residency.h)
  uint64_t peak_resident = 0;
  uint64_t swapped = 0;  // swap entries
  uint64_t huge = 0;     // 2 MiB leaves
};

// Whether an entry mapping `frame` has its Dirty bit set. The reverse map lists only entries
// that hold the frame (present, or PROT_NONE, which keeps the bit).
bool mapped_dirty(const Frame& frame);

class AddressSpace {
 public:
  // A space with an empty PML4 (the user half only: no kernel mappings are linked in).
  AddressSpace(FrameAllocator& frames, TlbControl& tlb, uint16_t pcid);
  ~AddressSpace();
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  mmu::PhysAddr root() const { return root_.address(); }
  uint16_t pcid() const { return pcid_; }
  // The pid of the process this space belongs to (for reports and the reverse map's users).
  int owner() const { return owner_; }
  void set_owner(int pid) { owner_ = pid; }
  // The CPU contexts running this space (one per thread) hear of every entry change.
  void add_observer(PageTableObserver* observer) { observers_.push_back(observer); }
  void remove_observer(PageTableObserver* observer) { std::erase(observers_, observer); }
  const AddressSpaceStats& stats() const { return stats_; }

  // ---- VMAs ----
  const Vma* find_vma(uint64_t va) const;
  Vma* find_vma(uint64_t va);
  // First VMA that ends above va (Linux find_vma), or nullptr.
  const Vma* vma_above(uint64_t va) const;
  const std::map<uint64_t, Vma>& vmas() const { return vmas_; }
  // Inserts a VMA that must not overlap an existing one (the caller unmaps first).
  Vma& insert_vma(Vma vma);
  // Lowest-level allocator for mmap(NULL, ...): the highest free gap of `length` bytes below
  // the mmap base (top-down, like Linux), or nullopt when the address space is full.
  std::optional<uint64_t> find_free_range(uint64_t length) const;
  bool range_is_free(uint64_t start, uint64_t end) const;
  bool range_is_usable(uint64_t start, uint64_t end) const;
  // munmap: removes [start, end) from every VMA (splitting as needed) and frees its pages.
  void unmap_range(uint64_t start, uint64_t end);
  // mprotect on a fully mapped range; the entries take the new rights (COW pages stay
  // read-only). Returns false if part of the range is unmapped.
  bool protect_range(uint64_t start, uint64_t end, uint32_t new_prot);
  // Grows or shrinks a VMA in place (brk, mremap). `new_end` must not overlap another VMA.
  void resize_vma(uint64_t start, uint64_t new_end);
  // Extends a grows-down VMA so that it starts at `new_start`.
  void grow_down(uint64_t start, uint64_t new_start);
  // mremap's move: the area [old_start, +old_size) becomes [new_start, +new_size) with the
  // same pages (no copy). The destination must be free. False when out of memory.
  bool move_range(uint64_t old_start, uint64_t old_size, uint64_t new_start, uint64_t new_size);
  // MADV_DONTNEED: drops the private pages of a range (they refault as zeros or file data).
  void discard_range(uint64_t start, uint64_t end);
  void set_huge_advice(uint64_t start, uint64_t end, bool huge);

  // ---- Transparent huge pages ----
  void set_huge_counters(HugePageCounters* counters) { counters_ = counters; }
  // Whether the 2 MiB region at `base` has no page table or huge page yet.
  bool pd_slot_empty(uint64_t base) const;
  // Maps the 2 MiB page at `base` (PS in the PDE) to an order-9 block the caller allocated.
  bool map_huge(uint64_t base, mmu::Pfn head, LeafRights rights);
  // Replaces the huge leaf covering va by a page table of 512 entries for the same frames.
  // False when no frame for the table can be found.
  bool split_huge(uint64_t va);
  void split_huge_in(uint64_t start, uint64_t end);

  // ---- Page-table entries (the only writer) ----
  // The leaf entry for va (a 4 KiB PTE, or a 2 MiB PDE with PS set), without side effects;
  // Pte{} when no table exists.
  mmu::Pte read_pte(uint64_t va) const;
  // Maps va to a frame the caller holds one reference on (the reference moves to the mapping).
  // Returns false if a page table could not be allocated (out of memory).
  bool map_page(uint64_t va, mmu::Pfn frame, LeafRights rights);
  // Changes the rights of a present leaf (write-protect for COW, mprotect).
  void set_rights(uint64_t va, LeafRights rights);
  // Replaces the frame behind va (COW copy); the old frame loses this mapping's reference.
  void replace_frame(uint64_t va, mmu::Pfn frame, LeafRights rights);
  // Removes the leaf at va and drops its frame reference (or swap reference).
  void unmap_page(uint64_t va);
  // Installs a swap entry where a present page was (reclaim); the frame reference is dropped.
  void set_swap_entry(uint64_t va, uint64_t slot);
  // Clears the Accessed bit and invalidates (CLOCK's harvest). Returns the previous A bit.
  bool test_and_clear_accessed(uint64_t va);
  // Clears the Dirty bit and invalidates (after write-back). Returns the previous D bit.
  bool test_and_clear_dirty(uint64_t va);

  // Calls fn(va, entry) for every leaf entry that is not empty (present, swap or PROT_NONE),
  // in ascending address order.
  void for_each_leaf(const std::function<void(uint64_t va, mmu::Pte entry)>& fn) const;
  void for_each_leaf_in(uint64_t start, uint64_t end,
                        const std::function<void(uint64_t va, mmu::Pte entry)>& fn) const;

  // Calls fn with every paging-structure page of this space, children before parents (the
  // kernel's shared PDPT, linked into every PML4, is not this space's).
  void for_each_table(const std::function<void(mmu::PhysAddr table)>& fn) const;

  // Copies this space into `child` the way fork does: shared mappings share, private pages
  // become copy-on-write in both spaces, swap entries are duplicated via `dup_swap`.
  void fork_into(AddressSpace& child, const std::function<void(uint64_t slot)>& dup_swap);

  // Leaf rights for a VMA's protection; private writable pages start read-only when shared.
  static LeafRights rights_for(const Vma& vma) {
    return LeafRights{vma.writable(), vma.executable()};
  }

  // Called with each swap slot referenced by an entry removed by unmap (the swap layer drops
  // its reference).
  void set_swap_release(std::function<void(uint64_t slot)> release) {
    swap_release_ = std::move(release);
  }

 private:
  // Address of the leaf slot for va at `level`; allocates missing tables when asked.
  std::optional<mmu::PhysAddr> slot(uint64_t va, mmu::Level level, bool allocate);
  std::optional<mmu::PhysAddr> leaf_slot(uint64_t va) const;
  mmu::Pte make_leaf(mmu::Pfn frame, LeafRights rights) const;
  void write_leaf(uint64_t va, mmu::PhysAddr slot, mmu::Pte before, mmu::Pte after);
  void drop_entry(uint64_t va, mmu::Pte entry);
  void visit_tables(mmu::PhysAddr table, int level,
                    const std::function<void(mmu::PhysAddr)>& fn) const;
  void walk_leaves(mmu::PhysAddr table, int level, uint64_t base, uint64_t lo, uint64_t hi,
                   const std::function<void(uint64_t, mmu::Pte)>& fn) const;
  void split_at(uint64_t va);
  void rmap_add(mmu::Pfn frame, uint64_t va);
  void rmap_remove(mmu::Pfn frame, uint64_t va);

  FrameAllocator& frames_;
  TlbControl& tlb_;
  uint16_t pcid_;
  int owner_ = 0;
  mmu::Pte root_;
  std::map<uint64_t, Vma> vmas_;  // keyed by start
  std::vector<PageTableObserver*> observers_;
  AddressSpaceStats stats_;
  std::function<void(uint64_t)> swap_release_;
  HugePageCounters* counters_ = nullptr;
};

}  // namespace vmlab::os
