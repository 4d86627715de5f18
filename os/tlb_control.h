// The kernel's side of TLB maintenance on the modelled MMU: which address space is loaded in
// CR3, with which PCID, and the invalidation each page-table change needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmu/mmu.h"

namespace vmlab::os {

class AddressSpace;

enum class PcidMode : uint8_t { kOff, kOn };

class TlbControl {
 public:
  TlbControl(mmu::Mmu& mmu, PcidMode mode) : mmu_(mmu), mode_(mode) {}

  // Loads the address space into CR3. With PCIDs the TLB keeps every space's entries and the
  // load asks for no flush; without them, the load flushes all non-global entries.
  void switch_to(const AddressSpace& space);
  // After a PTE downgrade in `space`: INVLPG when it is loaded, otherwise INVPCID of that one
  // address for its PCID (without PCIDs its entries were flushed when it was switched out).
  // Inside a Batch for the same space the page is only noted.
  void invalidate_page(const AddressSpace& space, mmu::VirtAddr va);

  // Gathers the invalidations of one operation on many pages of `space` (fork, munmap,
  // mprotect), like Linux's mmu_gather: when the outermost batch ends they are issued page by
  // page up to kSinglePageFlushCeiling pages, and as one flush of the space's whole context
  // beyond (Linux's tlb_single_page_flush_ceiling).
  static constexpr size_t kSinglePageFlushCeiling = 33;
  class Batch {
   public:
    Batch(TlbControl& tlb, const AddressSpace& space);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    TlbControl& tlb_;
    bool outermost_;
  };
  // A PCID is being reused for a new address space: drop whatever the old owner left.
  void retire_pcid(uint16_t pcid);
  void forget(const AddressSpace& space) {
    if (current_ == &space) current_ = nullptr;
  }

  const AddressSpace* current() const { return current_; }
  PcidMode mode() const { return mode_; }
  mmu::Mmu& mmu() { return mmu_; }
  uint64_t switches() const { return switches_; }

 private:
  void issue(const AddressSpace& space, mmu::VirtAddr va);
  void flush_space(const AddressSpace& space);

  mmu::Mmu& mmu_;
  PcidMode mode_;
  const AddressSpace* current_ = nullptr;
  uint64_t switches_ = 0;
  const AddressSpace* batch_space_ = nullptr;  // the space of the open batch, if any
  std::vector<mmu::VirtAddr> batch_pages_;
};

}  // namespace vmlab::os
