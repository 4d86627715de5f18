// The few supervisor pages every engine needs: a Linux-layout GDT, ring-0 code stubs (enter
// user mode, invalidate TLB entries), a ring-0 stack, and the kernel page tables that
// identity-map them in every address space (PML4 slot of the RAM window, supervisor only).
//
// They live in the first frames of RAM, so the CPU reaches them at VA == PA, which is how
// Unicorn 2.0.1 accesses memory anyway (see DESIGN.md §2).
#pragma once

#include <cstdint>

#include "mmu/address.h"
#include "mmu/physical_memory.h"

namespace vmlab::emulator {

// Physical RAM starts at 512 GiB: PML4 slot 1, below MAXPHYADDR (40 bits), and far from every
// address a Linux process uses.
inline constexpr uint64_t kRamBase = uint64_t{1} << 39;

// Linux x86-64 segment selectors (arch/x86/include/asm/segment.h).
inline constexpr uint16_t kKernelCs = 0x10;
inline constexpr uint16_t kKernelDs = 0x18;
inline constexpr uint16_t kUserDs = 0x2b;
inline constexpr uint16_t kUserCs = 0x33;

class KernelImage {
 public:
  // Frames of RAM the image occupies (never given to the frame allocator).
  static constexpr uint64_t kFrames = 6;

  explicit KernelImage(mmu::PhysicalMemory& memory);

  mmu::PhysAddr kernel_pdpt() const { return page(kPdptFrame); }
  uint64_t pml4_index() const { return kRamBase >> 39; }
  uint64_t gdt() const { return page(kCodeFrame).value; }
  uint16_t gdt_limit() const;
  uint64_t enter_user_stub() const { return page(kCodeFrame).value + kEnterUserOffset; }
  uint64_t invlpg_stub() const { return page(kCodeFrame).value + kInvlpgOffset; }
  uint64_t invlpg_stub_end() const;
  uint64_t flush_stub() const { return page(kCodeFrame).value + kFlushOffset; }
  uint64_t flush_stub_end() const;
  uint64_t stack_top() const { return page(kStackFrame).value + mmu::kPageBytes; }
  uint64_t invlpg_list() const { return page(kListFrame).value; }
  static constexpr uint64_t kInvlpgListCapacity = mmu::kPageBytes / sizeof(uint64_t);

 private:
  static constexpr uint64_t kCodeFrame = 0, kStackFrame = 1, kListFrame = 2, kPdptFrame = 3,
                            kPdFrame = 4, kPtFrame = 5;
  static constexpr uint64_t kEnterUserOffset = 0x800;
  static constexpr uint64_t kInvlpgOffset = 0x810;
  static constexpr uint64_t kFlushOffset = 0x840;

  mmu::PhysAddr page(uint64_t frame) const {
    return mmu::PhysAddr{kRamBase + frame * mmu::kPageBytes};
  }
  mmu::PhysicalMemory& memory_;
};

}  // namespace vmlab::emulator
