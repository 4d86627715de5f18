// The machine's RAM: one host block holding every guest byte, divided into 4 KiB frames.
//
// RAM occupies physical addresses [base, base + size) (the emulator uses base 0, as hardware
// does). The block is reserved, not committed: the host backs a page only when it is first
// touched, so a machine with 16 GiB of RAM that uses 10 MiB costs the host about 10 MiB. The
// CPU reads and writes exactly these bytes at the physical address the translation names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "mmu/address.h"

namespace vmlab::mmu {

class PhysicalMemory {
 public:
  // Creates RAM of `bytes` (a positive multiple of 4 KiB) at physical address `base` (4 KiB
  // aligned). Throws std::invalid_argument for a bad geometry and std::system_error when the
  // host cannot provide the memory.
  PhysicalMemory(PhysAddr base, uint64_t bytes);
  ~PhysicalMemory();
  PhysicalMemory(const PhysicalMemory&) = delete;
  PhysicalMemory& operator=(const PhysicalMemory&) = delete;

  PhysAddr base() const { return base_; }
  uint64_t size() const { return size_; }
  uint64_t frame_count() const { return size_ >> kPageShift; }
  Pfn first_pfn() const { return Pfn{base_}; }
  // Host address of the whole RAM.
  uint8_t* host_base() const { return host_; }

  bool contains(PhysAddr pa, uint64_t length = 1) const {
    return pa.value >= base_.value && length <= size_ && pa.value - base_.value <= size_ - length;
  }
  // Offset of `pa` inside the host block. Requires contains(pa).
  uint64_t offset_of(PhysAddr pa) const { return pa.value - base_.value; }

  // Bounds-checked access: throws std::out_of_range naming the address when [pa, pa+len) is not
  // RAM. These are plain memory reads and writes: no TLB, no statistics, no A/D bits.
  uint64_t read_u64(PhysAddr pa) const {
    if (!contains(pa, sizeof(uint64_t))) [[unlikely]]
      out_of_range(pa, sizeof(uint64_t));
    uint64_t v;
    std::memcpy(&v, host_ + offset_of(pa), sizeof v);
    return v;
  }
  void write_u64(PhysAddr pa, uint64_t value) {
    if (!contains(pa, sizeof(uint64_t))) [[unlikely]]
      out_of_range(pa, sizeof(uint64_t));
    std::memcpy(host_ + offset_of(pa), &value, sizeof value);
  }
  void read(PhysAddr pa, std::span<uint8_t> out) const;
  void write(PhysAddr pa, std::span<const uint8_t> in);
  void fill(PhysAddr pa, uint8_t byte, uint64_t length);
  void copy_frame(Pfn to, Pfn from);
  uint8_t* host(PhysAddr pa, uint64_t length);

 private:
  void check(PhysAddr pa, uint64_t length) const {
    if (!contains(pa, length)) [[unlikely]]
      out_of_range(pa, length);
  }
  [[noreturn]] void out_of_range(PhysAddr pa, uint64_t length) const;

  PhysAddr base_;
  uint64_t size_ = 0;
  uint8_t* host_ = nullptr;
};

}  // namespace vmlab::mmu
