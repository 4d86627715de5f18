// One x86-64 paging-structure entry (PML4E, PDPTE, PDE or PTE) as a value class.
//
// Layout from Intel SDM Vol. 3 §4.5, Tables 4-15 to 4-20 (4-level paging). The same bit positions
// mean the same thing at every level, except PS (bit 7), which selects a large page in a PDPTE
// (1 GiB) or a PDE (2 MiB), is reserved in a PML4E, and is the PAT bit in a 4 KiB PTE.
#pragma once

#include <cstdint>

#include "mmu/address.h"

namespace vmlab::mmu {

class Pte {
 public:
  static constexpr uint64_t kPresent = uint64_t{1} << 0;        // P
  static constexpr uint64_t kWritable = uint64_t{1} << 1;       // R/W
  static constexpr uint64_t kUser = uint64_t{1} << 2;           // U/S
  static constexpr uint64_t kWriteThrough = uint64_t{1} << 3;   // PWT
  static constexpr uint64_t kCacheDisable = uint64_t{1} << 4;   // PCD
  static constexpr uint64_t kAccessed = uint64_t{1} << 5;       // A
  static constexpr uint64_t kDirty = uint64_t{1} << 6;          // D (leaf entries only)
  static constexpr uint64_t kPageSize = uint64_t{1} << 7;       // PS (PDPTE, PDE)
  static constexpr uint64_t kGlobal = uint64_t{1} << 8;         // G (leaf entries only)
  static constexpr uint64_t kNoExecute = uint64_t{1} << 63;     // XD, with IA32_EFER.NXE=1
  static constexpr uint64_t kLargePagePat = uint64_t{1} << 12;  // PAT bit of a 2M/1G leaf

  // Bits 51:12 hold the physical address of the next table or of the page frame.
  static constexpr unsigned kAddressLow = 12;
  static constexpr unsigned kAddressHigh = 51;
  static constexpr uint64_t kAddressMask =
      ((uint64_t{1} << (kAddressHigh + 1)) - 1) & ~((uint64_t{1} << kAddressLow) - 1);

  // Bits 11:9 and 62:52 are ignored by the processor and free for the operating system.
  static constexpr uint64_t kSoftwareLowMask = uint64_t{0x7} << 9;
  static constexpr uint64_t kSoftwareHighMask = uint64_t{0x7ff} << 52;

  // Each table holds 512 entries of 8 bytes and indexes 9 bits of the linear address.
  static constexpr unsigned kIndexBits = 9;
  static constexpr uint64_t kEntriesPerTable = uint64_t{1} << kIndexBits;
  static constexpr uint64_t kBytes = 8;

  constexpr Pte() = default;
  constexpr explicit Pte(uint64_t raw) : raw_(raw) {}

  constexpr uint64_t raw() const { return raw_; }

  constexpr bool present() const { return has(kPresent); }
  constexpr bool writable() const { return has(kWritable); }
  constexpr bool user() const { return has(kUser); }
  constexpr bool write_through() const { return has(kWriteThrough); }
  constexpr bool cache_disabled() const { return has(kCacheDisable); }
  constexpr bool accessed() const { return has(kAccessed); }
  constexpr bool dirty() const { return has(kDirty); }
  constexpr bool page_size() const { return has(kPageSize); }
  constexpr bool global() const { return has(kGlobal); }
  constexpr bool no_execute() const { return has(kNoExecute); }

  // Physical address held in bits 51:12: the next table, or the frame of a 4 KiB leaf. For a
  // large leaf, use frame(PageSize), which drops the PAT bit and the low reserved bits.
  constexpr PhysAddr address() const { return PhysAddr{raw_ & kAddressMask}; }
  constexpr PhysAddr frame(PageSize size) const {
    return PhysAddr{raw_ & kAddressMask & ~page_offset_mask(size)};
  }
  constexpr Pfn pfn() const { return Pfn{address()}; }

  constexpr Pte with(uint64_t bits) const { return Pte{raw_ | bits}; }
  constexpr Pte without(uint64_t bits) const { return Pte{raw_ & ~bits}; }
  constexpr Pte with_address(PhysAddr pa) const {
    return Pte{(raw_ & ~kAddressMask) | (pa.value & kAddressMask)};
  }

  constexpr bool operator==(const Pte&) const = default;

 private:
  constexpr bool has(uint64_t bit) const { return (raw_ & bit) != 0; }
  uint64_t raw_ = 0;
};
static_assert(sizeof(Pte) == sizeof(uint64_t), "a PTE is exactly one 64-bit word");

// Levels of the 4-level hierarchy, numbered like the SDM's walk: 4 = PML4 ... 1 = page table.
enum class Level : uint8_t { kPt = 1, kPd = 2, kPdpt = 3, kPml4 = 4 };
inline constexpr int kLevels = 4;

constexpr unsigned level_shift(Level level) {
  return kPageShift + Pte::kIndexBits * (static_cast<unsigned>(level) - 1);
}
constexpr uint64_t table_index(VirtAddr va, Level level) {
  return (va.value >> level_shift(level)) & (Pte::kEntriesPerTable - 1);
}
constexpr const char* level_name(Level level) {
  switch (level) {
    case Level::kPml4:
      return "PML4E";
    case Level::kPdpt:
      return "PDPTE";
    case Level::kPd:
      return "PDE";
    case Level::kPt:
      return "PTE";
  }
  return "?";
}
// The page size a leaf at this level maps (PS=1 at PDPT/PD, any leaf at PT).
constexpr PageSize leaf_page_size(Level level) {
  return level == Level::kPdpt ? PageSize::k1G
         : level == Level::kPd ? PageSize::k2M
                               : PageSize::k4K;
}

}  // namespace vmlab::mmu
