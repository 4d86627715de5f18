// The narrow door from the CPU into the kernel: what a processor's hooks call when user code
// traps (the analogue of Linux's arch/x86/entry/ and the handlers it reaches: do_syscall_64,
// arch/x86/mm/fault.c's exc_page_fault, arch/x86/kernel/traps.c). The emulator's CPU depends on
// this and nothing else of the kernel; os::Kernel implements it. One virtual call per trap.
#pragma once

#include <cstdint>

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
  switch (e) {
    case CpuException::kDivide:
      return 0;
    case CpuException::kBreakpoint:
      return 3;
    case CpuException::kBoundOrOverflow:
      return 5;
    case CpuException::kInvalidOpcode:
      return 6;
    case CpuException::kStackSegment:
      return 12;
    case CpuException::kGeneralProtection:
      return 13;
    case CpuException::kFloatingPoint:
      return 16;
    case CpuException::kAlignment:
      return 17;
  }
  return 13;
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
