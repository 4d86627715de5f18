#include "os/pagemap.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "os/address_space.h"
#include "os/residency.h"
#include "os/user_layout.h"

namespace vmlab::os {

namespace {

// The flags and first frame of one classified leaf (pte_to_pagemap_entry).
struct LeafEntry {
  uint64_t flags = 0;
  uint64_t frame = 0;     // of the leaf's first page; a swap entry's type and slot
  bool per_page = false;  // a frame number: page i of the leaf is frame + i
};

LeafEntry leaf_entry(const LeafState& s, const Vma* vma) {
  switch (s.state) {
    case PageState::kNone:
      return {};
    case PageState::kSwapped:
      return {pagemap::kSwapped, s.swap_slot << pagemap::kSwapTypeBits, false};
    case PageState::kZeroPage:  // vm_normal_page() skips it: neither file nor exclusive
      return {pagemap::kPresent, s.frame.value, true};
    case PageState::kResident:
      break;
  }
  uint64_t flags = pagemap::kPresent;
  // Page-cache pages and shared anonymous memory (shmem) are not anonymous folios.
  if (s.use == FrameUse::kFile || (vma != nullptr && vma->is_shmem())) flags |= pagemap::kFile;
  if (s.mappers == 1) flags |= pagemap::kExclusive;
  return {flags, s.frame.value, true};
}

}  // namespace

void pagemap_entries(const FrameAllocator& frames, const AddressSpace& space, uint64_t first_va,
                     bool show_frames, std::span<uint64_t> out) {
  std::fill(out.begin(), out.end(), 0);
  const uint64_t end = first_va + out.size() * mmu::kPageBytes;
  const Vma* vma = nullptr;
  for_each_page_run(frames, space, first_va, end,
                    [&](uint64_t va, const LeafState& s, uint64_t first, uint64_t pages) {
                      if (s.state == PageState::kNone) return;
                      if (vma == nullptr || !vma->contains(first)) vma = space.find_vma(first);
                      const LeafEntry e = leaf_entry(s, vma);
                      for (uint64_t i = 0; i < pages; ++i) {
                        const uint64_t page = first + (i << mmu::kPageShift);
                        const uint64_t frame =
                            e.per_page ? e.frame + ((page - va) >> mmu::kPageShift) : e.frame;
                        out[(page - first_va) >> mmu::kPageShift] =
                            e.flags | (show_frames ? frame & pagemap::kFrameMask : 0);
                      }
                    });
}

int64_t read_pagemap(const FrameAllocator& frames, const AddressSpace& space, bool show_frames,
                     uint64_t offset, std::span<uint8_t> out) {
  if (offset % pagemap::kEntryBytes != 0 || out.size() % pagemap::kEntryBytes != 0) return -EINVAL;
  constexpr uint64_t kUserPages = layout::kUserTop >> mmu::kPageShift;
  const uint64_t first_page = offset / pagemap::kEntryBytes;
  if (first_page >= kUserPages) return 0;
  // At most what a buffer of a few pages holds at a time, as Linux copies in PAGEMAP_WALK_SIZE
  // steps: a read of the whole file costs nothing for the pages it never reaches.
  constexpr uint64_t kEntriesPerStep = 512;
  uint64_t entries[kEntriesPerStep];
  const uint64_t wanted = std::min(out.size() / pagemap::kEntryBytes, kUserPages - first_page);
  for (uint64_t done = 0; done < wanted;) {
    const uint64_t n = std::min(kEntriesPerStep, wanted - done);
    pagemap_entries(frames, space, (first_page + done) << mmu::kPageShift, show_frames,
                    std::span<uint64_t>(entries, n));
    std::memcpy(out.data() + done * pagemap::kEntryBytes, entries, n * pagemap::kEntryBytes);
    done += n;
  }
  return static_cast<int64_t>(wanted * pagemap::kEntryBytes);
}

}  // namespace vmlab::os
