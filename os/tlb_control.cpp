#include "os/tlb_control.h"

#include "os/address_space.h"

namespace vmlab::os {

void TlbControl::switch_to(const AddressSpace& space) {
  if (current_ == &space) return;
  current_ = &space;
  ++switches_;
  mmu_.load_cr3(space.root(), space.pcid(), /*no_flush=*/mode_ == PcidMode::kOn);
}

void TlbControl::invalidate_page(const AddressSpace& space, mmu::VirtAddr va) {
  if (current_ == &space) {
    mmu_.invlpg(va);
  } else if (mode_ == PcidMode::kOn) {
    mmu_.invpcid(mmu::InvpcidType::kIndividualAddress, space.pcid(), va);
  }
}

void TlbControl::retire_pcid(uint16_t pcid) {
  if (mode_ == PcidMode::kOn) mmu_.invpcid(mmu::InvpcidType::kSingleContext, pcid, mmu::VirtAddr{});
}

}  // namespace vmlab::os
