// Which virtual page each physical page in QEMU's softmmu TLB was filled for.
//
// Unicorn 2.1 reports data accesses to UC_HOOK_MEM_READ/WRITE by physical address; the full
// model needs the virtual one (its TLBs are virtually tagged). Every fill records va -> pa
// here, and the engine keeps at most one virtual page per physical page in its TLB at a time
// (a second one forces a flush), so the physical address of an access names its virtual page
// exactly.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>

#include "mmu/address.h"

namespace vmlab::emulator {

class SoftmmuShadow {
 public:
  // Records that the TLB now maps the virtual page of `va` to the physical page of `pa`.
  // Returns false when another virtual page still maps that physical page, or the shadow is
  // full: the caller must flush the softmmu TLB (and clear this shadow) and record again.
  bool record(uint64_t va, uint64_t pa) {
    // The engine's TLB holds a few thousand entries; the record of older fills is dropped
    // together with the TLB itself now and then, so the shadow stays small.
    if (by_physical_.size() >= kMaxRecorded) return false;
    const uint64_t vpage = va & ~mmu::kPageOffsetMask, ppage = pa & ~mmu::kPageOffsetMask;
    auto [it, inserted] = by_physical_.try_emplace(ppage, vpage);
    if (!inserted && it->second != vpage) {
      auto other = by_virtual_.find(it->second);
      if (other != by_virtual_.end() && other->second == ppage) return false;
      it->second = vpage;
    }
    by_virtual_[vpage] = ppage;
    recent_[slot(ppage)] = Recent{ppage, vpage};
    return true;
  }

  // The virtual address of an access the engine reported at physical address `pa`, or
  // kUnknown when no fill recorded its page.
  static constexpr uint64_t kUnknown = ~uint64_t{0};
  uint64_t virtual_address(uint64_t pa) {
    const uint64_t ppage = pa & ~mmu::kPageOffsetMask, offset = pa & mmu::kPageOffsetMask;
    const Recent& r = recent_[slot(ppage)];
    if (r.physical == ppage) [[likely]]
      return r.virtual_page | offset;
    auto it = by_physical_.find(ppage);
    if (it == by_physical_.end()) return kUnknown;
    recent_[slot(ppage)] = Recent{ppage, it->second};
    return it->second | offset;
  }

  void clear() {
    by_physical_.clear();
    by_virtual_.clear();
    recent_.fill(Recent{});
  }

 private:
  struct Recent {
    uint64_t physical = kUnknown;
    uint64_t virtual_page = 0;
  };
  static constexpr size_t kRecentSlots = 256;
  static constexpr size_t kMaxRecorded = 1 << 13;
  static size_t slot(uint64_t ppage) { return (ppage >> mmu::kPageShift) & (kRecentSlots - 1); }

  std::unordered_map<uint64_t, uint64_t> by_physical_;  // physical page -> virtual page
  std::unordered_map<uint64_t, uint64_t> by_virtual_;   // virtual page -> physical page
  std::array<Recent, kRecentSlots> recent_{};
};

}  // namespace vmlab::emulator
