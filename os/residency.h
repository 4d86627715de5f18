// What a page of a process is, for memory accounting: the one definition of resident, shared,
// swapped and dirty pages that memory limits, the OOM killer, /proc (status, statm, stat,
// smaps), Lua, mincore and the statistics all use. It follows Linux:
//   - resident (counted in RSS): the entry holds a frame of its own, present or PROT_NONE
//     (mprotect keeps the page and Linux's mm counters do not change); a 2 MiB leaf is 512
//     resident pages;
//   - the shared zero page is in core (mincore reports 1) but in nobody's RSS
//     (vm_normal_page() skips it);
//   - swapped: a swap entry; in VmSwap, and in core only while the swap cache still holds
//     the page (mincore_swap());
//   - shared: the frame is mapped by more than one entry (smaps' Shared_*);
//   - dirty: the entry's D bit, or a page-cache page written through a mapping and not yet
//     written back (smaps' pte_dirty || PageDirty).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "mmu/pte.h"
#include "os/frame_table.h"

namespace vmlab::os {

class AddressSpace;
class FrameAllocator;
class SwapDevice;

enum class PageState : uint8_t { kNone, kResident, kZeroPage, kSwapped };

// One leaf entry, classified.
struct LeafState {
  PageState state = PageState::kNone;
  mmu::Pfn frame;                  // kResident, kZeroPage: the frame the entry holds
  FrameUse use = FrameUse::kFree;  // kResident: what the frame holds
  uint64_t swap_slot = 0;          // kSwapped
  bool huge = false;               // a 2 MiB leaf
  bool shared = false;             // kResident: more than one entry maps the frame
  bool dirty = false;              // kResident
  bool accessed = false;           // kResident: the entry's A bit
  uint64_t mappers = 0;            // kResident: entries mapping the frame (at least 1)
};

LeafState classify_leaf(const FrameAllocator& frames, mmu::Pte entry);

// Calls fn(leaf_va, state, first, pages) for every leaf of [start, end), classified: the leaf
// starts at leaf_va, and its `pages` 4 KiB pages from `first` on lie inside the range.
using PageRunFn =
    std::function<void(uint64_t leaf_va, const LeafState& s, uint64_t first, uint64_t pages)>;
void for_each_page_run(const FrameAllocator& frames, const AddressSpace& space, uint64_t start,
                       uint64_t end, const PageRunFn& fn);

// Counted in RSS (and in AddressSpaceStats::resident, memory limits, the OOM killer).
inline bool counts_in_rss(PageState s) {
  return s == PageState::kResident;
}
// counts_in_rss(classify_leaf(frames, entry).state) without the rest of the classification:
// what every page-table write asks, twice (PageTableWriter::write_leaf).
bool counts_in_rss(const FrameAllocator& frames, mmu::Pte entry);

// The pages of a range, in 4 KiB pages (a huge leaf counts the part of it inside the range).
struct ResidentSet {
  uint64_t anonymous = 0;  // RssAnon: private anonymous memory, private copies of file pages
  uint64_t file = 0;       // RssFile: page-cache pages
  uint64_t shmem = 0;      // RssShmem: shared anonymous memory
  uint64_t swapped = 0;    // VmSwap
  uint64_t zero_page = 0;  // entries mapping the zero page: in core, not in RSS
  uint64_t huge = 0;       // resident pages in 2 MiB leaves
  uint64_t shared = 0;     // resident pages whose frame has other mappers
  uint64_t dirty = 0;      // resident dirty pages

  uint64_t rss() const { return anonymous + file + shmem; }
  ResidentSet& operator+=(const ResidentSet& other);
};

ResidentSet resident_set(const FrameAllocator& frames, const AddressSpace& space, uint64_t start,
                         uint64_t end);
ResidentSet resident_set(const FrameAllocator& frames, const AddressSpace& space);

// mincore(2): one byte per page of [start, end) (page aligned), 1 when the page is in core:
// resident, the zero page, or swapped while `swap`'s cache still holds it (`swap` may be null).
std::vector<uint8_t> in_core(const FrameAllocator& frames, const SwapDevice* swap,
                             const AddressSpace& space, uint64_t start, uint64_t end);

}  // namespace vmlab::os
