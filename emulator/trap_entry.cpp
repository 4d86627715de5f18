// Traps into the kernel from the engine's hooks: exceptions, system calls and port I/O at
// CPL 3. (Page faults take the fill path: fill_path.cpp.)
#include <unicorn/unicorn.h>

#include <algorithm>
#include <iterator>

#include "emulator/cpu.h"
#include "emulator/engine.h"
#include "emulator/registers.h"
#include "mmu/x86_registers.h"
#include "os/process.h"

namespace vmlab::emulator {

namespace {

os::CpuException exception_for(uint32_t intno) {
  namespace vector = mmu::x86::vector;
  switch (intno) {
    case vector::kDivide:
      return os::CpuException::kDivide;
    case vector::kDebug:
    case vector::kBreakpoint:
      return os::CpuException::kBreakpoint;
    case vector::kOverflow:
    case vector::kBound:
      return os::CpuException::kBoundOrOverflow;
    case vector::kInvalidOpcode:
      return os::CpuException::kInvalidOpcode;
    case vector::kStackSegment:
      return os::CpuException::kStackSegment;
    case vector::kGeneralProtection:
      return os::CpuException::kGeneralProtection;
    case vector::kFpu:
    case vector::kSimd:
      return os::CpuException::kFloatingPoint;
    case vector::kAlignment:
      return os::CpuException::kAlignment;
    default:
      return os::CpuException::kGeneralProtection;  // e.g. `int N`: no gate for CPL 3
  }
}

}  // namespace

void Cpu::interrupt(uint32_t intno) {
  settle_repeated_hits();
  guarded([&] {
    const uint64_t rip = live_rip();
    counter_.retire_partial(rip);
    exception_taken_ = true;
    if (intno == mmu::x86::vector::kGeneralProtection && emulate_time_stamp(rip)) {
      stop(StopCause::kResync);  // leave the block and go on after the instruction
      return;
    }
    kernel_.cpu_exception(process_, exception_for(intno), rip);
    stop(StopCause::kKernel);
  });
}

bool Cpu::emulate_time_stamp(uint64_t rip) {
  // The time-stamp counter runs at one tick per modelled nanosecond (the guest's clock), so a
  // program that reads it (Go's runtime does) repeats exactly; TSC_AUX is the CPU number.
  constexpr uint8_t kRdtsc[] = {0x0f, 0x31}, kRdtscp[] = {0x0f, 0x01, 0xf9};
  uint8_t code[sizeof kRdtscp] = {};
  if (!read_code(rip, code)) read_code(rip, {code, sizeof kRdtsc});
  const bool rdtsc = std::equal(std::begin(kRdtsc), std::end(kRdtsc), code);
  const bool rdtscp = std::equal(std::begin(kRdtscp), std::end(kRdtscp), code);
  if (!rdtsc && !rdtscp) return false;
  const uint64_t tsc = kernel_.time_stamp_counter();
  const uint64_t low = tsc & 0xffff'ffff, high = tsc >> 32;
  const uint64_t next = rip + (rdtsc ? sizeof kRdtsc : sizeof kRdtscp);
  const RegisterFile live{engine_.uc(), nullptr};
  live.write(UC_X86_REG_RAX, &low);
  live.write(UC_X86_REG_RDX, &high);
  if (rdtscp) {
    const uint64_t cpu_number = 0;
    live.write(UC_X86_REG_RCX, &cpu_number);
  }
  live.write(UC_X86_REG_RIP, &next);
  counter_.retire_emulated();
  return true;
}

void Cpu::syscall() {
  settle_repeated_hits();
  guarded([&] {
    in_syscall_ = true;
    kernel_.syscall(process_);
    in_syscall_ = false;
    if (!regs_pending_) {
      // Linux returns from `syscall` with RCX = the return address and R11 = RFLAGS.
      const RegisterFile live{engine_.uc(), nullptr};
      uint64_t rip = 0, rflags = 0;
      live.read(UC_X86_REG_RIP, &rip);
      live.read(UC_X86_REG_EFLAGS, &rflags);
      rip += kSyscallLength;
      live.write(UC_X86_REG_RCX, &rip);
      live.write(UC_X86_REG_R11, &rflags);
    }
    // `syscall` ends its translated block without chaining to the next one: a flush is enough.
    engine_.flush_tlb_if_pending();
  });
  in_syscall_ = false;
}

void Cpu::port_io() {
  // Unicorn does not check IOPL at CPL 3; Linux would deliver SIGSEGV for the #GP.
  settle_repeated_hits();
  guarded([&] {
    const uint64_t rip = live_rip();
    counter_.retire_partial(rip);
    kernel_.cpu_exception(process_, os::CpuException::kGeneralProtection, rip);
    stop(StopCause::kKernel);
  });
}

}  // namespace vmlab::emulator
