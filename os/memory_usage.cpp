#include "os/memory_usage.h"

#include <algorithm>

#include "os/address_space.h"
#include "os/frame_allocator.h"
#include "os/residency.h"

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
    const LeafState s = classify_leaf(frames, entry);
    const uint64_t leaf_bytes = s.huge ? mmu::page_bytes(mmu::PageSize::k2M) : mmu::kPageBytes;
    // The part of the leaf inside the range (a huge page may straddle an area's bounds).
    const uint64_t bytes = std::min(va + leaf_bytes, end) - std::max(va, start);
    if (s.state == PageState::kSwapped) u.swap += bytes;
    if (!counts_in_rss(s.state)) return;  // the zero page is nobody's (vm_normal_page)
    const bool anonymous = s.use == FrameUse::kAnonymous;
    const uint64_t share = (bytes << MemoryUsage::kPssShift) / s.mappers;
    u.rss += bytes;
    if (s.accessed) u.referenced += bytes;
    if (anonymous) {
      u.anonymous += bytes;
      if (s.huge) u.anon_huge += bytes;
      u.pss_anon_shifted += share;
    } else {
      u.pss_file_shifted += share;
    }
    u.pss_shifted += share;
    if (s.dirty) u.pss_dirty_shifted += share;
    if (s.shared) {
      (s.dirty ? u.shared_dirty : u.shared_clean) += bytes;
    } else {
      (s.dirty ? u.private_dirty : u.private_clean) += bytes;
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
