// The kernel's side of TLB maintenance on the modelled MMUs, one per CPU: which address space
// each CPU has loaded in CR3, with which PCID, and the invalidation each page-table change
// needs there. A change on one CPU reaches the others as Linux's TLB shootdown does: an IPI to
// every other CPU that runs the address space now; a CPU that ran it before and still holds
// its PCID-tagged entries flushes them when it loads the space again (Linux's lazy tlb_gen).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "mmu/mmu.h"

namespace vmlab::os {

class AddressSpace;

enum class PcidMode : uint8_t { kOff, kOn };

// Shootdown counters, per CPU and in total.
struct ShootdownCounters {
  uint64_t ipis = 0;              // sent (total) or received (per CPU)
  uint64_t pages = 0;             // single-page invalidations done for other CPUs
  uint64_t full_flushes = 0;      // flushes of a whole context done for other CPUs
  uint64_t deferred_flushes = 0;  // stale PCID contexts flushed when loaded again
};

class TlbControl {
 public:
  TlbControl(std::vector<mmu::Mmu*> cpus, PcidMode mode);

  // The CPU the kernel works on now (the one whose task trapped into it).
  void set_cpu(size_t cpu) { cpu_ = cpu; }
  size_t cpu() const { return cpu_; }
  size_t cpu_count() const { return cpus_.size(); }

  // Loads the address space into this CPU's CR3. With PCIDs the TLB keeps every space's
  // entries and the load asks for no flush; without them, the load flushes all non-global
  // entries.
  void switch_to(const AddressSpace& space);
  // After a PTE downgrade in `space`: INVLPG where it is loaded, otherwise INVPCID of that one
  // address for its PCID on this CPU (without PCIDs its entries were flushed when it was
  // switched out); other CPUs that run the space get an IPI. Inside a Batch for the same space
  // the page is only noted.
  void invalidate_page(const AddressSpace& space, mmu::VirtAddr va);

  // Gathers the invalidations of one operation on many pages of `space` (fork, munmap,
  // mprotect), like Linux's mmu_gather: when the outermost batch ends they are issued page by
  // page up to kSinglePageFlushCeiling pages, and as one flush of the space's whole context
  // beyond (Linux's tlb_single_page_flush_ceiling); each other CPU gets one IPI for all.
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
  void forget(const AddressSpace& space);

  // Called with the receiving CPU of each IPI (the kernel charges its cost).
  void set_ipi_listener(std::function<void(size_t cpu)> listener) {
    ipi_listener_ = std::move(listener);
  }

  const AddressSpace* current() const { return cpus_[cpu_].current; }
  const AddressSpace* current_on(size_t cpu) const { return cpus_[cpu].current; }
  PcidMode mode() const { return mode_; }
  mmu::Mmu& mmu() { return *cpus_[cpu_].mmu; }
  mmu::Mmu& mmu_of(size_t cpu) { return *cpus_[cpu].mmu; }
  uint64_t switches() const { return switches_; }
  const ShootdownCounters& shootdowns() const { return total_; }
  const ShootdownCounters& shootdowns_received(size_t cpu) const { return cpus_[cpu].received; }

 private:
  struct Cpu {
    mmu::Mmu* mmu = nullptr;
    const AddressSpace* current = nullptr;
    std::set<uint16_t> stale_pcids;  // PCIDs whose entries here may be stale: flush on load
    ShootdownCounters received;
  };
  // Invalidates `pages` of `space` (all of its context when `whole`) on `cpu`.
  void issue_on(size_t cpu, const AddressSpace& space, const std::vector<mmu::VirtAddr>& pages,
                bool whole);
  // The same on this CPU and, by IPI, on every other CPU that runs `space`.
  void shoot_down(const AddressSpace& space, const std::vector<mmu::VirtAddr>& pages, bool whole);

  std::vector<Cpu> cpus_;
  size_t cpu_ = 0;
  PcidMode mode_;
  uint64_t switches_ = 0;
  ShootdownCounters total_;
  std::function<void(size_t)> ipi_listener_;
  const AddressSpace* batch_space_ = nullptr;  // the space of the open batch, if any
  std::vector<mmu::VirtAddr> batch_pages_;
};

}  // namespace vmlab::os
