// Per-frame metadata: what a physical frame holds, who references it and who maps it.
//
// The reverse map (frame -> every PTE mapping it) is what lets reclaim unmap a shared page from
// all its processes, CLOCK harvest Accessed bits, and COW know whether a page is still shared.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/address.h"

namespace vmlab::os {

class AddressSpace;

enum class FrameUse : uint8_t {
  kFree,
  kKernel,     // reserved at boot: GDT, stubs, kernel page tables
  kZero,       // the shared zero page
  kPageTable,  // a paging-structure page of some address space
  kAnonymous,  // private memory of one or more processes (shared after fork until COW)
  kFile,       // a page-cache page of a file
};

struct Mapping {
  AddressSpace* space;
  uint64_t va;
  bool operator==(const Mapping&) const = default;
};

struct Frame {
  FrameUse use = FrameUse::kFree;
  uint32_t refcount = 0;      // PTE mappings + page cache + swap cache + kernel pins
  std::vector<Mapping> rmap;  // every PTE that maps this frame
  uint32_t file_id = 0;       // page cache: which file
  uint64_t file_page = 0;     // page cache: page index in the file
  int64_t swap_slot = -1;     // swap cache: the slot holding a copy, if any
  uint64_t last_access = 0;   // reclaim bookkeeping: instruction count of the last touch
  uint64_t loaded_at = 0;     // reclaim bookkeeping: when the page was brought in
};

// Frames are indexed from the first frame of RAM.
class FrameTable {
 public:
  FrameTable(mmu::Pfn first, uint64_t count) : first_(first), frames_(count) {}

  Frame& operator[](mmu::Pfn pfn) { return frames_[pfn.value - first_.value]; }
  const Frame& operator[](mmu::Pfn pfn) const { return frames_[pfn.value - first_.value]; }
  bool contains(mmu::Pfn pfn) const {
    return pfn.value >= first_.value && pfn.value - first_.value < frames_.size();
  }
  mmu::Pfn first() const { return first_; }
  uint64_t size() const { return frames_.size(); }
  mmu::Pfn pfn_at(uint64_t index) const { return mmu::Pfn{first_.value + index}; }

 private:
  mmu::Pfn first_;
  std::vector<Frame> frames_;
};

}  // namespace vmlab::os
