#include "emulator/kernel_image.h"

#include <array>
#include <stdexcept>

namespace vmlab::emulator {

namespace {

// Segment descriptors (SDM Vol. 3 §3.4.5): flat, 64-bit code (L=1) or data, DPL 0 or 3.
constexpr uint64_t kNullDescriptor = 0;
constexpr uint64_t kKernelCode64 = 0x00af'9b00'0000'ffff;
constexpr uint64_t kKernelData = 0x00cf'9300'0000'ffff;
constexpr uint64_t kUserCode32 = 0x00cf'fb00'0000'ffff;
constexpr uint64_t kUserData = 0x00cf'f300'0000'ffff;
constexpr uint64_t kUserCode64 = 0x00af'fb00'0000'ffff;
// Index = selector >> 3: 0x10 kernel code, 0x18 kernel data, 0x23 user32 code, 0x2b user data,
// 0x33 user code, as Linux lays them out.
constexpr std::array<uint64_t, 7> kGdt = {kNullDescriptor, kNullDescriptor, kKernelCode64,
                                          kKernelData,     kUserCode32,     kUserData,
                                          kUserCode64};

// iretq: pops RIP, CS, RFLAGS, RSP, SS prepared on the ring-0 stack.
constexpr std::array<uint8_t, 2> kEnterUser = {0x48, 0xcf};

}  // namespace

KernelImage::KernelImage(mmu::PhysicalMemory& memory) {
  if (memory.base().value != kRamBase) throw std::logic_error("RAM must start at kRamBase");
  const mmu::PhysAddr code = physical(kernel_va(kCodeFrame));
  memory.fill(mmu::PhysAddr{kRamBase}, 0, kFrames * mmu::kPageBytes);
  for (size_t i = 0; i < kGdt.size(); ++i)
    memory.write_u64(code + i * 8, kGdt[i]);
  memory.write(code + kEnterUserOffset, kEnterUser);
}

uint16_t KernelImage::gdt_limit() const {
  return kGdt.size() * 8 - 1;
}

}  // namespace vmlab::emulator
