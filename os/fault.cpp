#include "os/fault.h"

#include <cstring>
#include <stdexcept>

#include "os/kernel_config.h"
#include "os/memory_limits.h"
#include "os/page_cache.h"
#include "os/process.h"
#include "os/pte_encoding.h"
#include "os/swap_in.h"

namespace vmlab::os {

using mmu::Access;
using mmu::Pfn;

bool vma_allows(const Vma& vma, Access access) {
  switch (access) {
    case Access::kRead:
      return vma.prot != prot::kNone;
    case Access::kWrite:
      return vma.writable();
    case Access::kFetch:
      return vma.executable();
  }
  return false;
}

const Vma* FaultHandler::find_or_grow_stack(Process& process, uint64_t address) {
  AddressSpace& space = process.space();
  if (const Vma* vma = space.find_vma(address)) return vma;
  // Just below a stack: grow it, within RLIMIT_STACK and keeping the guard gap to whatever
  // mapping lies below (Linux's expand_downwards).
  const Vma* above = space.vma_above(address);
  if (above == nullptr || !above->grows_down) return nullptr;
  const uint64_t new_start = address & ~mmu::kPageOffsetMask;
  if (above->end - new_start > layout::kStackMax) return nullptr;
  if (new_start < layout::kMmapMinAddr + layout::kStackGuardGap) return nullptr;
  const uint64_t gap_floor = new_start - layout::kStackGuardGap;
  if (!space.range_is_free(gap_floor, new_start)) return nullptr;
  const uint64_t old_start = above->start;
  space.grow_down(old_start, new_start);
  ++process.counters().stack_growth;
  return space.find_vma(address);
}

FaultResult FaultHandler::handle(Process& process, const FaultRequest& request) {
  // The kernel never writes reserved bits: such a fault means a corrupted page table.
  if (request.reserved_bit) return {FaultResolution::kBadPageTable};
  const uint64_t page = request.address & ~mmu::kPageOffsetMask;
  const Vma* vma = find_or_grow_stack(process, request.address);
  if (vma == nullptr) return {FaultResolution::kSegvMapErr};
  if (!vma_allows(*vma, request.access)) return {FaultResolution::kSegvAccErr};

  const mmu::Pte pte = process.space().read_pte(page);
  if (pte.present()) {
    if (request.access == Access::kWrite && !pte.writable())
      return write_protect_fault(process, *vma, page);
    return {FaultResolution::kSpurious};
  }
  switch (non_present_kind(pte)) {
    case NonPresentKind::kSwap:
      if (!limits_.make_room(process, page)) return {FaultResolution::kLimitExceeded};
      return swap_in_.fault_in(process, *vma, page, swap_slot_of(pte));
    case NonPresentKind::kProtNone:
      return {FaultResolution::kSegvAccErr};
    case NonPresentKind::kNone:
      break;
  }
  const bool zero_page_read = request.access != Access::kWrite && config_.zero_page &&
                              vma->sharing == Sharing::kPrivate &&
                              !(vma->kind == VmaKind::kFile && page - vma->start < vma->file_bytes);
  if (!zero_page_read && !limits_.make_room(process, page))
    return {FaultResolution::kLimitExceeded};
  if (vma->kind == VmaKind::kFile && page - vma->start < vma->file_bytes)
    return file_fault(process, *vma, page, request.access);
  if (vma->kind == VmaKind::kFile && vma->file_sigbus_beyond) return {FaultResolution::kBusError};
  return anonymous_fault(process, *vma, page, request.access);
}

FaultResult FaultHandler::anonymous_fault(Process& process, const Vma& vma, uint64_t page,
                                          Access access) {
  if (access != Access::kWrite && config_.zero_page && vma.sharing == Sharing::kPrivate) {
    // Reading untouched memory needs no memory: map the shared zero page read-only.
    const Pfn zero = frames_.zero_frame();
    if (!process.space().map_page(page, zero, LeafRights{false, vma.executable()}))
      return {FaultResolution::kOutOfMemory};
    return {FaultResolution::kZeroPage, 0, zero.value};
  }
  if (huge_page_applies(vma, page)) {
    // A whole aligned 2 MiB region of fresh memory: one fault, one TLB entry, if a free
    // order-9 block exists (THP never reclaims to get one).
    const uint64_t base = page & ~mmu::page_offset_mask(mmu::PageSize::k2M);
    if (process.space().pd_slot_empty(base)) {
      if (const auto block =
              frames_.allocate(FrameUse::kAnonymous, kHugeOrder, FrameAllocator::Reclaim::kNo)) {
        if (process.space().map_huge(base, *block, AddressSpace::rights_for(vma)))
          return {FaultResolution::kZeroFill, 0, block->value};
        frames_.put(*block, kHugeOrder);
      }
    }
  }
  const auto frame = frames_.allocate(FrameUse::kAnonymous);
  if (!frame) return {FaultResolution::kOutOfMemory};
  if (!process.space().map_page(page, *frame, AddressSpace::rights_for(vma))) {
    frames_.put(*frame);
    return {FaultResolution::kOutOfMemory};
  }
  return {FaultResolution::kZeroFill, 0, frame->value};
}

bool FaultHandler::huge_page_applies(const Vma& vma, uint64_t page) const {
  const KernelConfig& c = config_;
  if (c.thp == KernelConfig::Thp::kNever) return false;
  if (c.thp == KernelConfig::Thp::kMadvise && !vma.huge_advised) return false;
  if (vma.kind != VmaKind::kAnonymous || vma.sharing != Sharing::kPrivate) return false;
  const uint64_t base = page & ~mmu::page_offset_mask(mmu::PageSize::k2M);
  const uint64_t end = base + mmu::page_bytes(mmu::PageSize::k2M);
  // Limits count 4 KiB pages exactly: a huge page would overshoot the process's limit, or
  // that of a limited range it overlaps (a huge page elsewhere overshoots nothing).
  if (c.process_limit_pages != 0) return false;
  for (const RangeLimit& r : c.range_limits)
    if (base < r.end && r.start < end) return false;
  return base >= vma.start && end <= vma.end;
}

FaultResult FaultHandler::file_fault(Process& process, const Vma& vma, uint64_t page,
                                     Access access) {
  const uint64_t offset = vma.file_offset_of(page);
  const auto cached = page_cache_.get(vma.file, offset >> mmu::kPageShift);
  if (!cached) return {FaultResolution::kOutOfMemory};
  const FaultResolution resolution = cached->source == PageCache::Source::kFile
                                         ? FaultResolution::kFileMajor
                                         : FaultResolution::kFileMinor;
  // A page whose tail lies past the area's file bytes while the file goes on there (an ELF
  // .data page that ends in .bss) must read as zeros past them: a private copy. At the end of
  // the file the page-cache page already ends in zeros and is mapped as it is.
  const uint64_t available = vma.file_bytes - (page - vma.start);
  const bool partial = available < mmu::kPageBytes &&
                       offset + available < static_cast<uint64_t>(vma.file->stat().size);
  const bool private_write = vma.sharing == Sharing::kPrivate && access == Access::kWrite;
  if (!partial && !private_write) {
    // Map the page-cache page itself (the caller's reference becomes the mapping's); a private
    // mapping gets it read-only so the first write copies it.
    const LeafRights rights{vma.sharing == Sharing::kShared && vma.writable(), vma.executable()};
    if (!process.space().map_page(page, cached->frame, rights)) {
      frames_.put(cached->frame);
      return {FaultResolution::kOutOfMemory};
    }
    return {resolution, 0, cached->frame.value};
  }
  // A private copy: the page is about to be written, or its tail must read as zeros.
  const auto frame = frames_.allocate(FrameUse::kAnonymous);
  if (!frame) {
    frames_.put(cached->frame);
    return {FaultResolution::kOutOfMemory};
  }
  auto& memory = frames_.memory();
  const uint64_t copy = partial ? available : mmu::kPageBytes;
  std::memcpy(memory.host(frame->address(), mmu::kPageBytes),
              memory.host(cached->frame.address(), mmu::kPageBytes), copy);
  frames_.put(cached->frame);
  if (!process.space().map_page(page, *frame, AddressSpace::rights_for(vma))) {
    frames_.put(*frame);
    return {FaultResolution::kOutOfMemory};
  }
  return {resolution, 0, frame->value};
}

FaultResult FaultHandler::write_protect_fault(Process& process, const Vma& vma, uint64_t page) {
  AddressSpace& space = process.space();
  const Pfn old_frame = space.read_pte(page).pfn();
  const Frame& old = frames_.frame(old_frame);
  if (vma.sharing == Sharing::kShared) {
    space.set_rights(page, AddressSpace::rights_for(vma));
    return {FaultResolution::kSpurious, old_frame.value, old_frame.value};
  }
  if (old.use == FrameUse::kZero) {
    // First write to memory that so far only read the zero page.
    const auto frame = frames_.allocate(FrameUse::kAnonymous);
    if (!frame) return {FaultResolution::kOutOfMemory};
    space.replace_frame(page, *frame, AddressSpace::rights_for(vma));
    return {FaultResolution::kZeroFill, old_frame.value, frame->value};
  }
  if (old.use == FrameUse::kAnonymous && old.refcount == 1 && swap_in_.can_reuse(old_frame)) {
    // Nobody else can see this page any more: no copy needed (wp_page_reuse).
    space.set_rights(page, AddressSpace::rights_for(vma));
    return {FaultResolution::kCowReuse, old_frame.value, old_frame.value};
  }
  // Pin the shared frame while a new one is found: reclaim must not take it meanwhile.
  frames_.get(old_frame);
  const auto frame = frames_.allocate(FrameUse::kAnonymous);
  if (!frame) {
    frames_.put(old_frame);
    return {FaultResolution::kOutOfMemory};
  }
  frames_.memory().copy_frame(*frame, old_frame);
  space.replace_frame(page, *frame, AddressSpace::rights_for(vma));
  frames_.put(old_frame);
  return {FaultResolution::kCowCopy, old_frame.value, frame->value};
}

}  // namespace vmlab::os
