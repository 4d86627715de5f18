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
  if (batch_space_ == &space) {
    batch_pages_.push_back(va);
    return;
  }
  issue(space, va);
}

void TlbControl::issue(const AddressSpace& space, mmu::VirtAddr va) {
  if (current_ == &space) {
    mmu_.invlpg(va);
  } else if (mode_ == PcidMode::kOn) {
    mmu_.invpcid(mmu::InvpcidType::kIndividualAddress, space.pcid(), va);
  }
}

void TlbControl::flush_space(const AddressSpace& space) {
  if (mode_ == PcidMode::kOn) {
    mmu_.invpcid(mmu::InvpcidType::kSingleContext, space.pcid(), mmu::VirtAddr{});
  } else if (current_ == &space) {
    mmu_.load_cr3(space.root(), space.pcid(), /*no_flush=*/false);  // a CR3 write flushes
  }
}

TlbControl::Batch::Batch(TlbControl& tlb, const AddressSpace& space)
    : tlb_(tlb), outermost_(tlb.batch_space_ == nullptr) {
  if (outermost_) tlb_.batch_space_ = &space;
}

TlbControl::Batch::~Batch() {
  if (!outermost_) return;
  const AddressSpace& space = *tlb_.batch_space_;
  tlb_.batch_space_ = nullptr;
  if (tlb_.batch_pages_.size() > kSinglePageFlushCeiling) {
    tlb_.flush_space(space);
  } else {
    for (const mmu::VirtAddr va : tlb_.batch_pages_)
      tlb_.issue(space, va);
  }
  tlb_.batch_pages_.clear();
}

void TlbControl::retire_pcid(uint16_t pcid) {
  if (mode_ == PcidMode::kOn) mmu_.invpcid(mmu::InvpcidType::kSingleContext, pcid, mmu::VirtAddr{});
}

}  // namespace vmlab::os
