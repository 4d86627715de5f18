#include "os/residency.h"

#include <algorithm>

#include "os/address_space.h"
#include "os/frame_allocator.h"
#include "os/pte_encoding.h"
#include "os/swap.h"

namespace vmlab::os {

LeafState classify_leaf(const FrameAllocator& frames, mmu::Pte entry) {
  LeafState s;
  s.huge = entry.present() && entry.page_size();
  if (non_present_kind(entry) == NonPresentKind::kSwap) {
    s.state = PageState::kSwapped;
    s.swap_slot = swap_slot_of(entry);
    return s;
  }
  if (!holds_frame(entry)) return s;
  const mmu::Pte resident = entry.present() ? entry : restore_prot_none(entry);
  if (!frames.is_ram(resident.pfn())) return s;
  s.frame = resident.pfn();
  const Frame& frame = frames.frame(s.frame);
  if (frame.use == FrameUse::kZero) {
    s.state = PageState::kZeroPage;
    return s;
  }
  s.state = PageState::kResident;
  s.use = frame.use;
  s.mappers = std::max<uint64_t>(frame.rmap.size(), 1);
  s.shared = s.mappers >= 2;
  s.dirty = resident.dirty() || (frame.use == FrameUse::kFile && frame.dirty);
  s.accessed = resident.accessed();
  return s;
}

bool counts_in_rss(const FrameAllocator& frames, mmu::Pte entry) {
  if (!holds_frame(entry)) return false;  // not present (a swap entry among them)
  const mmu::Pfn frame = held_frame(entry);
  return frames.is_ram(frame) && frames.frame(frame).use != FrameUse::kZero;
}

ResidentSet& ResidentSet::operator+=(const ResidentSet& o) {
  anonymous += o.anonymous;
  file += o.file;
  shmem += o.shmem;
  swapped += o.swapped;
  zero_page += o.zero_page;
  huge += o.huge;
  shared += o.shared;
  dirty += o.dirty;
  return *this;
}

void for_each_page_run(const FrameAllocator& frames, const AddressSpace& space, uint64_t start,
                       uint64_t end, const PageRunFn& fn) {
  space.for_each_leaf_in(start, end, [&](uint64_t va, mmu::Pte entry) {
    const LeafState s = classify_leaf(frames, entry);
    const uint64_t leaf_bytes = s.huge ? mmu::page_bytes(mmu::PageSize::k2M) : mmu::kPageBytes;
    const uint64_t first = std::max(va, start), last = std::min(va + leaf_bytes, end);
    fn(va, s, first, (last - first) >> mmu::kPageShift);
  });
}

ResidentSet resident_set(const FrameAllocator& frames, const AddressSpace& space, uint64_t start,
                         uint64_t end) {
  ResidentSet r;
  const Vma* vma = nullptr;
  for_each_page_run(frames, space, start, end,
                    [&](uint64_t va, const LeafState& s, uint64_t, uint64_t pages) {
                      if (s.state == PageState::kSwapped) r.swapped += pages;
                      if (s.state == PageState::kZeroPage) r.zero_page += pages;
                      if (!counts_in_rss(s.state)) return;
                      if (vma == nullptr || !vma->contains(va)) vma = space.find_vma(va);
                      const bool shmem = vma != nullptr && vma->is_shmem();
                      if (s.use == FrameUse::kFile)
                        r.file += pages;
                      else
                        (shmem ? r.shmem : r.anonymous) += pages;
                      if (s.huge) r.huge += pages;
                      if (s.shared) r.shared += pages;
                      if (s.dirty) r.dirty += pages;
                    });
  return r;
}

ResidentSet resident_set(const FrameAllocator& frames, const AddressSpace& space) {
  return resident_set(frames, space, 0, layout::kUserTop);
}

std::vector<uint8_t> in_core(const FrameAllocator& frames, const SwapDevice* swap,
                             const AddressSpace& space, uint64_t start, uint64_t end) {
  std::vector<uint8_t> out((end - start) >> mmu::kPageShift, 0);
  for_each_page_run(
      frames, space, start, end, [&](uint64_t, const LeafState& s, uint64_t first, uint64_t pages) {
        const bool core = s.state == PageState::kResident || s.state == PageState::kZeroPage ||
                          (s.state == PageState::kSwapped && swap != nullptr &&
                           swap->cached(s.swap_slot).has_value());
        const uint64_t at = (first - start) >> mmu::kPageShift;
        std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(at), pages, core);
      });
  return out;
}

}  // namespace vmlab::os
