#include "emulator/kernel_image.h"

#include <array>
#include <stdexcept>

#include "mmu/pte.h"

namespace vmlab::emulator {

namespace {

using mmu::Pte;

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
// rsi = list of addresses, rcx = count:
//   1: mov rax, [rsi]; invlpg [rax]; add rsi, 8; dec rcx; jnz 1b; hlt
constexpr std::array<uint8_t, 16> kInvlpgLoop = {0x48, 0x8b, 0x06, 0x0f, 0x01, 0x38, 0x48, 0x83,
                                                 0xc6, 0x08, 0x48, 0xff, 0xc9, 0x75, 0xf1, 0xf4};
// mov rax, cr3; mov cr3, rax; hlt: a CR3 write flushes every non-global translation.
constexpr std::array<uint8_t, 7> kFlushAll = {0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8, 0xf4};

}  // namespace

KernelImage::KernelImage(mmu::PhysicalMemory& memory) : memory_(memory) {
  if (memory.base().value != kRamBase) throw std::logic_error("RAM must start at kRamBase");
  for (uint64_t f = 0; f < kFrames; ++f)
    memory.fill(page(f), 0, mmu::kPageBytes);
  for (size_t i = 0; i < kGdt.size(); ++i)
    memory.write_u64(page(kCodeFrame) + i * 8, kGdt[i]);
  memory.write(page(kCodeFrame) + kEnterUserOffset, kEnterUser);
  memory.write(page(kCodeFrame) + kInvlpgOffset, kInvlpgLoop);
  memory.write(page(kCodeFrame) + kFlushOffset, kFlushAll);

  // Identity map of the kernel frames: PDPT[0] -> PD[0] -> PT[i] -> frame i, supervisor.
  const uint64_t table = Pte::kPresent | Pte::kWritable;
  const mmu::VirtAddr base{kRamBase};
  memory.write_u64(page(kPdptFrame) + mmu::table_index(base, mmu::Level::kPdpt) * Pte::kBytes,
                   Pte{table}.with_address(page(kPdFrame)).raw());
  memory.write_u64(page(kPdFrame) + mmu::table_index(base, mmu::Level::kPd) * Pte::kBytes,
                   Pte{table}.with_address(page(kPtFrame)).raw());
  for (uint64_t f = 0; f < kFrames; ++f) {
    // Only the code page is executable; every page is supervisor-only.
    const uint64_t bits = table | (f == kCodeFrame ? 0 : Pte::kNoExecute);
    memory.write_u64(page(kPtFrame) + f * Pte::kBytes, Pte{bits}.with_address(page(f)).raw());
  }
}

uint16_t KernelImage::gdt_limit() const {
  return kGdt.size() * 8 - 1;
}
uint64_t KernelImage::invlpg_stub_end() const {
  return invlpg_stub() + kInvlpgLoop.size() - 1;
}
uint64_t KernelImage::flush_stub_end() const {
  return flush_stub() + kFlushAll.size() - 1;
}

}  // namespace vmlab::emulator
