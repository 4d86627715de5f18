// Which virtual page each physical page in QEMU's softmmu TLB was filled for.
//
// Unicorn 2.1 reports data accesses to UC_HOOK_MEM_READ/WRITE by physical address; the full
// model needs the virtual one (its TLBs are virtually tagged). Every fill records va -> pa
// here, and the engine keeps at most one virtual page per physical page in its TLB at a time
// (a second one forces a flush), so the physical address of an access names its virtual page
// exactly.
//
// The record is a table indexed by frame number, beside a direct-mapped table of the last fill
// of each virtual page. A flush of the softmmu TLB starts a new epoch instead of clearing them:
// an entry of an older epoch is empty. The fill path and every reported access cost one indexed
// load; nothing is allocated after construction, and the TLB is never flushed to keep the record
// small.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>

#include "mmu/address.h"

namespace vmlab::emulator {

class SoftmmuShadow {
 public:
  // A shadow for RAM of `frame_count` frames from `first_frame` on.
  SoftmmuShadow(uint64_t first_frame, uint64_t frame_count)
      : first_frame_(first_frame),
        frame_count_(frame_count),
        // calloc, not a vector: the host backs only the pages of frames a fill touches, so a
        // 16 GiB machine's 32 MiB table costs what the program uses.
        by_frame_(static_cast<uint64_t*>(std::calloc(frame_count, sizeof(uint64_t)))) {
    if (by_frame_ == nullptr && frame_count != 0) throw std::bad_alloc();
  }

  // Whether recording `va` -> `pa` needs a flush first: another virtual page may still map that
  // physical page in the TLB.
  bool conflicts(uint64_t va, uint64_t pa) const {
    const uint64_t owner = by_frame_[index_of(pa >> mmu::kPageShift)];
    return is_current(owner) && vpn_of(owner) != vpn_of_address(va) &&
           may_still_map(vpn_of(owner), pa >> mmu::kPageShift);
  }
  // Records that the TLB now maps the virtual page of `va` to the physical page of `pa`.
  void record(uint64_t va, uint64_t pa) {
    const uint64_t vpn = vpn_of_address(va), pfn = pa >> mmu::kPageShift;
    by_frame_[index_of(pfn)] = current(vpn);
    by_virtual_[slot(vpn)] = VirtualRecord{current(vpn), pfn};
  }

  // The virtual address of an access the engine reported at physical address `pa`, or
  // kUnknown when no fill of this epoch recorded its page.
  static constexpr uint64_t kUnknown = ~uint64_t{0};
  uint64_t virtual_address(uint64_t pa) const {
    const uint64_t pfn = pa >> mmu::kPageShift;
    if (!in_ram(pfn)) [[unlikely]]
      return kUnknown;
    const uint64_t owner = by_frame_[pfn - first_frame_];
    if (!is_current(owner)) return kUnknown;
    return mmu::sign_extend_linear(vpn_of(owner) << mmu::kPageShift) | (pa & mmu::kPageOffsetMask);
  }

  // The softmmu TLB was flushed: every record is dropped.
  void clear() {
    if (++epoch_ <= kEpochMask) return;
    // The epoch field wrapped (after 2^28 flushes): empty the tables for real once.
    std::fill_n(by_frame_.get(), frame_count_, uint64_t{0});
    by_virtual_.fill(VirtualRecord{});
    epoch_ = 1;
  }

 private:
  // A record word: the virtual page number above the epoch it was written in. A canonical
  // address is its low 48 bits sign-extended, so its page number takes 36 bits and 28 remain
  // for the epoch; epoch 0 is never current, which makes a zeroed word empty.
  static constexpr uint64_t kLinearMask = (uint64_t{1} << mmu::kLinearAddressBits) - 1;
  static constexpr unsigned kEpochBits = 28;
  static constexpr uint64_t kEpochMask = (uint64_t{1} << kEpochBits) - 1;
  static uint64_t vpn_of_address(uint64_t va) { return (va & kLinearMask) >> mmu::kPageShift; }
  uint64_t current(uint64_t vpn) const { return (vpn << kEpochBits) | epoch_; }
  bool is_current(uint64_t word) const { return (word & kEpochMask) == epoch_; }
  static uint64_t vpn_of(uint64_t word) { return word >> kEpochBits; }

  bool in_ram(uint64_t pfn) const { return pfn - first_frame_ < frame_count_; }
  uint64_t index_of(uint64_t pfn) const {
    if (!in_ram(pfn)) [[unlikely]]
      throw std::out_of_range("a softmmu fill names a physical page outside RAM");
    return pfn - first_frame_;
  }

  // Whether `vpn`, recorded for `pfn` earlier in this epoch, may still map it in the TLB: its
  // last fill named `pfn`, or that fill is no longer known (its slot was reused).
  bool may_still_map(uint64_t vpn, uint64_t pfn) const {
    const VirtualRecord& r = by_virtual_[slot(vpn)];
    return r.word != current(vpn) || r.pfn == pfn;
  }

  struct VirtualRecord {
    uint64_t word = 0;  // current(vpn) of the last fill of a page in this slot
    uint64_t pfn = 0;
  };
  static constexpr size_t kVirtualSlots = 1 << 12;
  static size_t slot(uint64_t vpn) { return vpn & (kVirtualSlots - 1); }

  struct FreeDeleter {
    void operator()(uint64_t* p) const { std::free(p); }
  };
  uint64_t first_frame_;
  uint64_t frame_count_;
  std::unique_ptr<uint64_t[], FreeDeleter> by_frame_;
  std::array<VirtualRecord, kVirtualSlots> by_virtual_{};
  uint64_t epoch_ = 1;
};

}  // namespace vmlab::emulator
