// /proc/PID/pagemap: one 64-bit entry per virtual page, as Linux's pagemap_read() writes them
// (Documentation/admin-guide/mm/pagemap.rst), so a guest can see which physical frame backs
// each of its pages, or which swap slot holds it:
//   bits 0-54  the frame number of a present page, or for a swapped page the swap type
//              (bits 0-4, always 0: the machine has one swap device) and the slot of vmlab's
//              swap device (bits 5-54, counted from 0 as Lua's swap_slot); zero unless the
//              reader holds CAP_SYS_ADMIN (in vmlab: effective UID 0 when it reads)
//   bit 55     soft-dirty: never set, as on a kernel without CONFIG_MEM_SOFT_DIRTY (vmlab
//              has no /proc/PID/clear_refs to clear it with)
//   bit 56     the page is mapped by this entry only (a resident frame with one mapper)
//   bit 61     a page-cache or shared-anonymous page (not a private anonymous one)
//   bit 62     swapped
//   bit 63     present (a PROT_NONE page is present: the entry still holds its frame)
// Pages with no entry read as 0. Which pages are resident, shared or swapped comes from
// residency.h, the definition every other view of memory uses. The file belongs to the
// process it was opened for: a child that inherited the descriptor reads its parent's pages.
#pragma once

#include <cstdint>
#include <span>

namespace vmlab::os {

class AddressSpace;
class FrameAllocator;

namespace pagemap {
inline constexpr uint64_t kEntryBytes = 8;
inline constexpr uint64_t kFrameMask = (uint64_t{1} << 55) - 1;  // bits 0-54
inline constexpr int kSwapTypeBits = 5;                          // MAX_SWAPFILES_SHIFT
inline constexpr uint64_t kExclusive = uint64_t{1} << 56;
inline constexpr uint64_t kFile = uint64_t{1} << 61;
inline constexpr uint64_t kSwapped = uint64_t{1} << 62;
inline constexpr uint64_t kPresent = uint64_t{1} << 63;
}  // namespace pagemap

// The entries of the pages from `first_va` (page aligned) on, one per element of `out`.
// `show_frames`: whether frame numbers and swap slots are shown (CAP_SYS_ADMIN).
void pagemap_entries(const FrameAllocator& frames, const AddressSpace& space, uint64_t first_va,
                     bool show_frames, std::span<uint64_t> out);

// pagemap_read(): the bytes of the file at `offset` into `out`. Offset and length must be
// multiples of 8 (-EINVAL otherwise); nothing is read past the top of user space.
int64_t read_pagemap(const FrameAllocator& frames, const AddressSpace& space, bool show_frames,
                     uint64_t offset, std::span<uint8_t> out);

}  // namespace vmlab::os
