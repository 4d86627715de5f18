// Strong types for the two address spaces of the machine and the page-size vocabulary.
//
// A virtual address and a physical address are both 64-bit numbers, and mixing them up is the
// classic paging bug. Giving each its own type makes the compiler catch it.
#pragma once

#include <compare>
#include <cstdint>
#include <string_view>

namespace vmlab::mmu {

inline constexpr unsigned kPageShift = 12;  // 4 KiB base pages
inline constexpr uint64_t kPageBytes = uint64_t{1} << kPageShift;
inline constexpr uint64_t kPageOffsetMask = kPageBytes - 1;

// Page sizes of x86-64 4-level paging (Intel SDM Vol. 3 §4.5): 4 KiB leaves in a page table,
// 2 MiB leaves in a page directory (PDE.PS=1), 1 GiB leaves in a PDPT (PDPTE.PS=1).
enum class PageSize : uint8_t { k4K = 0, k2M = 1, k1G = 2 };
inline constexpr int kPageSizeCount = 3;

constexpr unsigned page_shift(PageSize size) {
  return kPageShift + 9 * static_cast<unsigned>(size);
}
constexpr uint64_t page_bytes(PageSize size) {
  return uint64_t{1} << page_shift(size);
}
constexpr uint64_t page_offset_mask(PageSize size) {
  return page_bytes(size) - 1;
}
constexpr std::string_view page_size_name(PageSize size) {
  switch (size) {
    case PageSize::k4K:
      return "4K";
    case PageSize::k2M:
      return "2M";
    case PageSize::k1G:
      return "1G";
  }
  return "?";
}

struct VirtAddr {
  uint64_t value = 0;
  constexpr VirtAddr() = default;
  constexpr explicit VirtAddr(uint64_t v) : value(v) {}
  constexpr auto operator<=>(const VirtAddr&) const = default;
  constexpr VirtAddr operator+(uint64_t delta) const { return VirtAddr{value + delta}; }
  constexpr uint64_t page_offset(PageSize size = PageSize::k4K) const {
    return value & page_offset_mask(size);
  }
  constexpr VirtAddr page_base(PageSize size = PageSize::k4K) const {
    return VirtAddr{value & ~page_offset_mask(size)};
  }
};

struct PhysAddr {
  uint64_t value = 0;
  constexpr PhysAddr() = default;
  constexpr explicit PhysAddr(uint64_t v) : value(v) {}
  constexpr auto operator<=>(const PhysAddr&) const = default;
  constexpr PhysAddr operator+(uint64_t delta) const { return PhysAddr{value + delta}; }
  constexpr PhysAddr page_base(PageSize size = PageSize::k4K) const {
    return PhysAddr{value & ~page_offset_mask(size)};
  }
};

// Virtual page number of a 4 KiB page.
struct Vpn {
  uint64_t value = 0;
  constexpr Vpn() = default;
  constexpr explicit Vpn(uint64_t v) : value(v) {}
  constexpr explicit Vpn(VirtAddr va) : value(va.value >> kPageShift) {}
  constexpr auto operator<=>(const Vpn&) const = default;
  constexpr VirtAddr address() const { return VirtAddr{value << kPageShift}; }
};

// Physical frame number of a 4 KiB frame.
struct Pfn {
  uint64_t value = 0;
  constexpr Pfn() = default;
  constexpr explicit Pfn(uint64_t v) : value(v) {}
  constexpr explicit Pfn(PhysAddr pa) : value(pa.value >> kPageShift) {}
  constexpr auto operator<=>(const Pfn&) const = default;
  constexpr PhysAddr address() const { return PhysAddr{value << kPageShift}; }
};

// Linear addresses are 48 bits wide with 4-level paging; bits 63:47 must all equal bit 47
// (SDM Vol. 1 §3.3.7.1). A non-canonical access raises #GP, not #PF.
inline constexpr unsigned kLinearAddressBits = 48;
// The canonical address whose low 48 bits are those of `value`.
constexpr uint64_t sign_extend_linear(uint64_t value) {
  return static_cast<uint64_t>(static_cast<int64_t>(value << (64 - kLinearAddressBits)) >>
                               (64 - kLinearAddressBits));
}
constexpr bool is_canonical(VirtAddr va) {
  return sign_extend_linear(va.value) == va.value;
}

}  // namespace vmlab::mmu
