#include "os/memory_usage.h"

#include <algorithm>

#include "os/address_space.h"
#include "os/frame_allocator.h"
#include "os/pte_encoding.h"

namespace vmlab::os {

MemoryUsage& MemoryUsage::operator+=(const MemoryUsage& o) {
  rss += o.rss;
  shared_clean += o.shared_clean;
  shared_dirty += o.shared_dirty;
  private_clean += o.private_clean;
  private_dirty += o.private_dirty;
  referenced += o.referenced;
  anonymous += o.anonymous;
  anon_huge += o.anon_huge;
  swap += o.swap;
  pss_shifted += o.pss_shifted;
  pss_dirty_shifted += o.pss_dirty_shifted;
  pss_anon_shifted += o.pss_anon_shifted;
  pss_file_shifted += o.pss_file_shifted;
  return *this;
}

MemoryUsage memory_usage(const FrameAllocator& frames, const AddressSpace& space, uint64_t start,
                         uint64_t end) {
  MemoryUsage u;
  space.for_each_leaf_in(start, end, [&](uint64_t va, mmu::Pte entry) {
    const uint64_t leaf_bytes = entry.page_size() && entry.present()
                                    ? mmu::page_bytes(mmu::PageSize::k2M)
                                    : mmu::kPageBytes;
    // The part of the leaf inside the range (a huge page may straddle an area's bounds).
    const uint64_t bytes = std::min(va + leaf_bytes, end) - std::max(va, start);
    if (!holds_frame(entry)) {
      if (non_present_kind(entry) == NonPresentKind::kSwap) u.swap += bytes;
      return;
    }
    const mmu::Pte resident = entry.present() ? entry : restore_prot_none(entry);
    if (!frames.is_ram(resident.pfn())) return;
    const Frame& frame = frames.frame(resident.pfn());
    if (frame.use == FrameUse::kZero) return;  // vm_normal_page() skips the zero page
    const uint64_t mappers = std::max<uint64_t>(frame.rmap.size(), 1);
    const bool dirty = resident.dirty();
    const bool anonymous = frame.use == FrameUse::kAnonymous;
    const uint64_t share = (bytes << MemoryUsage::kPssShift) / mappers;
    u.rss += bytes;
    if (resident.accessed()) u.referenced += bytes;
    if (anonymous) {
      u.anonymous += bytes;
      if (entry.page_size()) u.anon_huge += bytes;
      u.pss_anon_shifted += share;
    } else {
      u.pss_file_shifted += share;
    }
    u.pss_shifted += share;
    if (dirty) u.pss_dirty_shifted += share;
    if (mappers >= 2) {
      (dirty ? u.shared_dirty : u.shared_clean) += bytes;
    } else {
      (dirty ? u.private_dirty : u.private_clean) += bytes;
    }
  });
  return u;
}

MemoryUsage memory_usage(const FrameAllocator& frames, const AddressSpace& space) {
  MemoryUsage total;
  for (const auto& [start, vma] : space.vmas())
    total += memory_usage(frames, space, vma.start, vma.end);
  return total;
}

}  // namespace vmlab::os
