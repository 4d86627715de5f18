// Per-frame metadata: what a physical frame holds, who references it and who maps it.
//
// The reverse map (frame -> every PTE mapping it) is what lets reclaim unmap a shared page from
// all its processes, CLOCK harvest Accessed bits, and COW know whether a page is still shared.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
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
inline constexpr size_t kFrameUses = static_cast<size_t>(FrameUse::kFile) + 1;

struct Mapping {
  AddressSpace* space;
  uint64_t va;
  bool operator==(const Mapping&) const = default;
};

// Fields ordered by size: one frame's metadata is 64 bytes.
struct Frame {
  std::vector<Mapping> rmap;  // every PTE that maps this frame
  uint64_t file_page = 0;     // page cache: page index in the file
  uint64_t last_access = 0;   // reclaim bookkeeping: instruction count of the last touch
  uint64_t loaded_at = 0;     // reclaim bookkeeping: when the page was brought in
  uint32_t refcount = 0;      // PTE mappings + page cache + swap cache + kernel pins
  uint32_t file_id = 0;       // page cache: which file
  int32_t swap_slot = -1;     // swap cache: the slot holding a copy, if any (< 2^31 slots)
  FrameUse use = FrameUse::kFree;
  bool dirty = false;  // page cache: written through a mapping since it was last written back
};
static_assert(sizeof(Frame) <= 64, "frame metadata is sized per frame of RAM");

// Frames are indexed from the first frame of RAM. The metadata of a large machine is sizeable
// (~70 bytes a frame: 280 MiB for 16 GiB of RAM), so it is allocated in chunks on first use: a
// frame nobody has touched reads as a free frame without costing the host anything.
class FrameTable {
 public:
  FrameTable(mmu::Pfn first, uint64_t count)
      : first_(first), count_(count), chunks_((count + kChunkFrames - 1) / kChunkFrames) {}

  Frame& operator[](mmu::Pfn pfn) {
    const uint64_t i = pfn.value - first_.value;
    std::unique_ptr<Chunk>& chunk = chunks_[i / kChunkFrames];
    if (chunk == nullptr) [[unlikely]]
      chunk = std::make_unique<Chunk>();
    return (*chunk)[i % kChunkFrames];
  }
  const Frame& operator[](mmu::Pfn pfn) const {
    const uint64_t i = pfn.value - first_.value;
    const std::unique_ptr<Chunk>& chunk = chunks_[i / kChunkFrames];
    return chunk != nullptr ? (*chunk)[i % kChunkFrames] : untouched();
  }
  bool contains(mmu::Pfn pfn) const {
    return pfn.value >= first_.value && pfn.value - first_.value < count_;
  }
  mmu::Pfn first() const { return first_; }
  uint64_t size() const { return count_; }
  mmu::Pfn pfn_at(uint64_t index) const { return mmu::Pfn{first_.value + index}; }

 private:
  static constexpr uint64_t kChunkFrames = 4096;  // 16 MiB of RAM per chunk
  using Chunk = std::array<Frame, kChunkFrames>;
  static const Frame& untouched() {
    static const Frame free_frame{};
    return free_frame;
  }

  mmu::Pfn first_;
  uint64_t count_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
};

}  // namespace vmlab::os
