// The narrow door from the CPU into the kernel: what a processor's hooks call when user code
// traps (the analogue of Linux's arch/x86/entry/ and the handlers it reaches: do_syscall_64,
// arch/x86/mm/fault.c's exc_page_fault, arch/x86/kernel/traps.c). The emulator's CPU depends on
// this and nothing else of the kernel; os::Kernel implements it. One virtual call per trap.
#pragma once

#include <cstdint>

#include "mmu/x86_registers.h"

namespace vmlab::os {

class Process;

// Why a CPU exception happened, in the kernel's terms (the emulator maps vectors to these).
enum class CpuException : uint8_t {
  kDivide,
  kBreakpoint,
  kBoundOrOverflow,
  kInvalidOpcode,
  kStackSegment,
  kGeneralProtection,
  kFloatingPoint,
  kAlignment,
};

// The x86 vector of each exception, for sigcontext.trapno.
constexpr uint32_t exception_vector(CpuException e) {
  namespace vector = mmu::x86::vector;
  switch (e) {
    case CpuException::kDivide:
      return vector::kDivide;
    case CpuException::kBreakpoint:
      return vector::kBreakpoint;
    case CpuException::kBoundOrOverflow:
      return vector::kBound;
    case CpuException::kInvalidOpcode:
      return vector::kInvalidOpcode;
    case CpuException::kStackSegment:
      return vector::kStackSegment;
    case CpuException::kGeneralProtection:
      return vector::kGeneralProtection;
    case CpuException::kFloatingPoint:
      return vector::kFpu;
    case CpuException::kAlignment:
      return vector::kAlignment;
  }
  return vector::kGeneralProtection;
}

class TrapEntry {
 public:
  // `syscall` at CPL 3: the registers of `process`'s CPU hold the call.
  virtual void syscall(Process& process) = 0;
  // #PF with the hardware's error code (mmu::pf_error); the CPU stopped at `rip`.
  virtual void page_fault(Process& process, uint64_t address, uint32_t error_code,
                          uint64_t rip) = 0;
  // Any other exception the instruction at `rip` raised.
  virtual void cpu_exception(Process& process, CpuException exception, uint64_t rip) = 0;
  // RDTSC trapped (CR4.TSD): the time-stamp counter, one tick per modelled nanosecond.
  virtual uint64_t time_stamp_counter() const = 0;
  // `process` is the task the kernel is running now (the one whose trap is being handled).
  virtual bool is_current(const Process& process) const = 0;

 protected:
  ~TrapEntry() = default;
};

}  // namespace vmlab::os
