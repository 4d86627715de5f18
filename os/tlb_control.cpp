#include "os/tlb_control.h"

#include "os/address_space.h"

#include <utility>

namespace vmlab::os {

TlbControl::TlbControl(std::vector<mmu::Mmu*> cpus, PcidMode mode) : mode_(mode) {
  for (mmu::Mmu* mmu : cpus) {
    Cpu cpu;
    cpu.mmu = mmu;
    cpus_.push_back(std::move(cpu));
  }
}

void TlbControl::switch_to(const AddressSpace& space) {
  Cpu& here = cpus_[cpu_];
  if (here.current == &space) return;
  here.current = &space;
  ++switches_;
  here.mmu->load_cr3(space.root(), space.pcid(), /*no_flush=*/mode_ == PcidMode::kOn);
  if (mode_ == PcidMode::kOn && here.stale_pcids.erase(space.pcid()) != 0) {
    // The space changed while this CPU ran something else: its entries here are stale.
    here.mmu->invpcid(mmu::InvpcidType::kSingleContext, space.pcid(), mmu::VirtAddr{});
    ++here.received.deferred_flushes;
    ++total_.deferred_flushes;
  }
}

void TlbControl::invalidate_page(const AddressSpace& space, mmu::VirtAddr va) {
  if (batch_space_ == &space) {
    batch_pages_.push_back(va);
    return;
  }
  shoot_down(space, {va}, /*whole=*/false);
}

void TlbControl::issue_on(size_t cpu, const AddressSpace& space,
                          const std::vector<mmu::VirtAddr>& pages, bool whole) {
  Cpu& c = cpus_[cpu];
  const bool loaded = c.current == &space;
  if (!loaded && mode_ == PcidMode::kOff) return;  // flushed when it was switched out
  if (whole) {
    if (mode_ == PcidMode::kOn)
      c.mmu->invpcid(mmu::InvpcidType::kSingleContext, space.pcid(), mmu::VirtAddr{});
    else
      c.mmu->load_cr3(space.root(), space.pcid(), /*no_flush=*/false);  // a CR3 write flushes
    return;
  }
  for (const mmu::VirtAddr va : pages) {
    if (loaded)
      c.mmu->invlpg(va);
    else
      c.mmu->invpcid(mmu::InvpcidType::kIndividualAddress, space.pcid(), va);
  }
}

void TlbControl::shoot_down(const AddressSpace& space, const std::vector<mmu::VirtAddr>& pages,
                            bool whole) {
  issue_on(cpu_, space, pages, whole);
  for (size_t cpu = 0; cpu < cpus_.size(); ++cpu) {
    if (cpu == cpu_) continue;
    Cpu& c = cpus_[cpu];
    if (c.current != &space) {
      // Not running it: nothing to do now, but PCID-tagged entries it kept are stale.
      if (mode_ == PcidMode::kOn) c.stale_pcids.insert(space.pcid());
      continue;
    }
    ++total_.ipis;
    ++c.received.ipis;
    if (whole) {
      ++total_.full_flushes;
      ++c.received.full_flushes;
    } else {
      total_.pages += pages.size();
      c.received.pages += pages.size();
    }
    issue_on(cpu, space, pages, whole);
    if (ipi_listener_) ipi_listener_(cpu);
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
  std::vector<mmu::VirtAddr> pages;
  pages.swap(tlb_.batch_pages_);
  if (pages.empty()) return;
  tlb_.shoot_down(space, pages, pages.size() > kSinglePageFlushCeiling);
}

void TlbControl::retire_pcid(uint16_t pcid) {
  if (mode_ != PcidMode::kOn) return;
  for (Cpu& c : cpus_) {
    c.mmu->invpcid(mmu::InvpcidType::kSingleContext, pcid, mmu::VirtAddr{});
    c.stale_pcids.erase(pcid);
  }
}

void TlbControl::forget(const AddressSpace& space) {
  for (Cpu& c : cpus_)
    if (c.current == &space) c.current = nullptr;
}

}  // namespace vmlab::os
