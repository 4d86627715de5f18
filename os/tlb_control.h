// The kernel's side of TLB maintenance on the modelled MMU: which address space is loaded in
// CR3, with which PCID, and the invalidation each page-table change needs.
#pragma once

#include <cstdint>

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
  void invalidate_page(const AddressSpace& space, mmu::VirtAddr va);
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
  mmu::Mmu& mmu_;
  PcidMode mode_;
  const AddressSpace* current_ = nullptr;
  uint64_t switches_ = 0;
};

}  // namespace vmlab::os
