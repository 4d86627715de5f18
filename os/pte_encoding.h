// How the kernel uses page-table entries beyond what the hardware defines.
//
// A present entry is pure hardware format (mmu/pte.h). A non-present entry is ignored by the
// processor except for bit 0, so the kernel keeps its own information there, as Linux does:
// a swap entry (where the page went), or a PROT_NONE entry (the page is still resident, but
// every access must fault).
#pragma once

#include <cstdint>

#include "mmu/pte.h"

namespace vmlab::os {

// Software kind of a non-present entry, in bits 11:9 (ignored by the hardware).
enum class NonPresentKind : uint8_t { kNone = 0, kSwap = 1, kProtNone = 2 };

inline constexpr unsigned kSoftKindShift = 9;
inline constexpr uint64_t kSoftKindMask = uint64_t{0x7} << kSoftKindShift;

inline NonPresentKind non_present_kind(mmu::Pte pte) {
  if (pte.present()) return NonPresentKind::kNone;
  return static_cast<NonPresentKind>((pte.raw() & kSoftKindMask) >> kSoftKindShift);
}

// Swap entry: the slot number lives in the address field (bits 51:12).
inline mmu::Pte make_swap_entry(uint64_t slot) {
  return mmu::Pte{(slot << mmu::kPageShift) |
                  (static_cast<uint64_t>(NonPresentKind::kSwap) << kSoftKindShift)};
}
inline uint64_t swap_slot_of(mmu::Pte pte) {
  return pte.address().value >> mmu::kPageShift;
}

// PROT_NONE entry: the resident entry with P cleared, tagged so the kernel can restore it.
inline mmu::Pte make_prot_none(mmu::Pte resident) {
  return mmu::Pte{(resident.raw() & ~mmu::Pte::kPresent & ~kSoftKindMask) |
                  (static_cast<uint64_t>(NonPresentKind::kProtNone) << kSoftKindShift)};
}
inline mmu::Pte restore_prot_none(mmu::Pte entry) {
  return mmu::Pte{(entry.raw() & ~kSoftKindMask) | mmu::Pte::kPresent};
}

// An entry that keeps a frame referenced: present, or PROT_NONE.
inline bool holds_frame(mmu::Pte pte) {
  return pte.present() || non_present_kind(pte) == NonPresentKind::kProtNone;
}
// The frame an entry that holds_frame() keeps.
inline mmu::Pfn held_frame(mmu::Pte entry) {
  return (entry.present() ? entry : restore_prot_none(entry)).pfn();
}

}  // namespace vmlab::os
