// The 4-level page walker: one loop over the levels of Intel SDM Vol. 3 §4.5.
//
// The walker reads paging-structure entries from physical memory, combines their rights as
// §4.6 prescribes, sets Accessed and Dirty bits the way the hardware (and QEMU's walker) does,
// and returns a record of everything it did. It never throws for a guest-caused condition: a
// failed translation is a Fault value inside the record.
#pragma once

#include <array>
#include <cstdint>

#include "mmu/address.h"
#include "mmu/paging.h"
#include "mmu/physical_memory.h"
#include "mmu/pte.h"

namespace vmlab::mmu {

// One entry read during a walk, and what the walk wrote back into it.
struct WalkStep {
  Level level = Level::kPml4;
  PhysAddr entry_address;
  Pte entry;                  // the value read (before any A/D update)
  bool set_accessed = false;  // the walk set A in this entry
  bool set_dirty = false;     // the walk set D in this entry (leaf, write access)
};

struct WalkResult {
  std::array<WalkStep, kLevels> steps;  // the first step_count are valid
  uint8_t step_count = 0;

  bool faulted = false;
  Fault fault;  // valid when faulted

  // Valid when !faulted:
  PageSize size = PageSize::k4K;
  PhysAddr frame;           // physical base of the leaf page (of `size`)
  Permissions permissions;  // rights combined over every level walked
  bool global = false;      // leaf G bit
  bool dirty = false;       // leaf D bit after the walk

  PhysAddr translate(VirtAddr va) const { return frame + va.page_offset(size); }
  const WalkStep& leaf() const { return steps[step_count - 1]; }
};

// Where a walk begins. A full walk starts at the PML4 named by CR3; a walk resumed from a
// paging-structure cache starts lower, with the rights already combined above it.
struct WalkStart {
  Level level = Level::kPml4;
  PhysAddr table;
  Permissions inherited{true, true, true};
};

// Whether the walk writes Accessed/Dirty bits (hardware) or only looks (debuggers, tools).
enum class WalkEffects : uint8_t { kSetAccessedDirty, kNone };

// Translates `va` for `access` in `mode`. A non-canonical address gives a #GP fault without
// reading memory. Throws std::out_of_range only if a paging-structure entry lies outside RAM,
// which a correct kernel never builds.
WalkResult walk(PhysicalMemory& memory, const PagingControl& control, VirtAddr va, Access access,
                Mode mode, WalkEffects effects = WalkEffects::kSetAccessedDirty);
WalkResult walk_from(PhysicalMemory& memory, const PagingControl& control, const WalkStart& start,
                     VirtAddr va, Access access, Mode mode, WalkEffects effects);
// The same walk into a result the caller reuses: the MMU's hot path, which would otherwise
// zero a fresh WalkResult on every TLB miss.
void walk_into(WalkResult& result, PhysicalMemory& memory, const PagingControl& control,
               const WalkStart& start, VirtAddr va, Access access, Mode mode, WalkEffects effects);

// Entry bits the processor treats as reserved at `level` (leaf says whether PS=1 made it a
// leaf), under `control`. A set reserved bit makes the walk fault with error code RSVD.
inline uint64_t reserved_bits(Level level, bool large_leaf, const PagingControl& control) {
  // Address bits at or above MAXPHYADDR, up to bit 51.
  uint64_t reserved = Pte::kAddressMask & ~((uint64_t{1} << control.physical_address_bits) - 1);
  if (!control.no_execute) reserved |= Pte::kNoExecute;
  if (level == Level::kPml4) reserved |= Pte::kPageSize;
  if (level == Level::kPdpt && large_leaf && !control.large_1g_pages) reserved |= Pte::kPageSize;
  if (large_leaf) {
    // A 2 MiB or 1 GiB frame address is aligned; the bits between the PAT bit and the frame
    // number must be zero.
    const PageSize size = leaf_page_size(level);
    reserved |= page_offset_mask(size) & Pte::kAddressMask & ~Pte::kLargePagePat;
  }
  return reserved;
}

}  // namespace vmlab::mmu
