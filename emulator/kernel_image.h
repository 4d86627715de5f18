// The few supervisor pages an engine needs once, to reach user mode: a Linux-layout GDT, the
// `iretq` that drops to CPL 3, and a ring-0 stack. They occupy the first frames of RAM (never
// given to the frame allocator) and are reached at kernel virtual addresses in Linux's direct
// map (PA + kDirectMapBase), which the engine translates itself while it boots (engine.h).
#pragma once

#include <cstdint>

#include "mmu/address.h"
#include "mmu/physical_memory.h"
#include "mmu/x86_registers.h"

namespace vmlab::emulator {

// Physical RAM starts at physical address 0, as on a PC.
inline constexpr uint64_t kRamBase = 0;
// Linux's page_offset_base without KASLR: the kernel sees physical address P at this + P.
inline constexpr uint64_t kDirectMapBase = 0xffff'8880'0000'0000;

// RFLAGS the `iretq` to user mode loads: interrupts enabled, as Linux runs user code.
inline constexpr uint64_t kUserRflags = mmu::x86::rflags::kInterrupt | mmu::x86::rflags::kReserved1;

class KernelImage {
 public:
  // Frames of RAM the image occupies (never given to the frame allocator).
  static constexpr uint64_t kFrames = 2;

  explicit KernelImage(mmu::PhysicalMemory& memory);

  // Kernel virtual addresses.
  uint64_t gdt() const { return kernel_va(kCodeFrame); }
  uint16_t gdt_limit() const;
  uint64_t enter_user_stub() const { return kernel_va(kCodeFrame) + kEnterUserOffset; }
  uint64_t stack_top() const { return kernel_va(kStackFrame) + mmu::kPageBytes; }
  // Whether a kernel virtual address lies in the image, and its physical address.
  static bool contains(uint64_t va) {
    return va >= kDirectMapBase && va - kDirectMapBase < kFrames * mmu::kPageBytes;
  }
  static mmu::PhysAddr physical(uint64_t va) { return mmu::PhysAddr{va - kDirectMapBase}; }

 private:
  static constexpr uint64_t kCodeFrame = 0, kStackFrame = 1;
  static constexpr uint64_t kEnterUserOffset = 0x800;

  static uint64_t kernel_va(uint64_t frame) {
    return kDirectMapBase + kRamBase + frame * mmu::kPageBytes;
  }
};

}  // namespace vmlab::emulator
