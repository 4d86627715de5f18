// The kernel's view of the processor running one process: registers, a way to stop it, and a
// way to run it for a while. The emulator implements it on a Unicorn engine; tests can
// implement it on anything. Nothing here knows about Unicorn.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace vmlab::os {

class Process;

// General-purpose state in the order of Linux's struct sigcontext (x86-64), so building and
// reading a signal frame is a straight copy.
struct UserRegs {
  uint64_t r8 = 0, r9 = 0, r10 = 0, r11 = 0, r12 = 0, r13 = 0, r14 = 0, r15 = 0;
  uint64_t rdi = 0, rsi = 0, rbp = 0, rbx = 0, rdx = 0, rax = 0, rcx = 0, rsp = 0;
  uint64_t rip = 0, eflags = 0;
  uint64_t fs_base = 0, gs_base = 0;
};

// The legacy FXSAVE image (512 bytes) that Linux places in a signal frame.
using FxsaveArea = std::array<uint8_t, 512>;

enum class Reg : uint8_t {
  kRax,
  kRdi,
  kRsi,
  kRdx,
  kR10,
  kR8,
  kR9,
  kRip,
  kRsp,
  kRcx,
  kR11,
  kFsBase,
  kGsBase
};

enum class StopReason : uint8_t {
  kBudgetExhausted,  // the instruction budget of this run ran out
  kKernelRequest,    // a system call, fault or signal asked to leave user mode
  kHostError,        // the emulator failed; error() says why
};

class CpuPort {
 public:
  virtual ~CpuPort() = default;

  virtual UserRegs regs() = 0;
  virtual void set_regs(const UserRegs& regs) = 0;
  virtual uint64_t reg(Reg r) = 0;
  virtual void set_reg(Reg r, uint64_t value) = 0;
  // reg() of each of `regs` into `out` (as many): a system call's number and arguments, which
  // an engine reads in one call.
  virtual void read_regs(std::span<const Reg> regs, std::span<uint64_t> out) {
    for (size_t i = 0; i < regs.size(); ++i)
      out[i] = reg(regs[i]);
  }
  virtual FxsaveArea fpu_state() = 0;
  virtual void set_fpu_state(const FxsaveArea& area) = 0;

  // Leaves user mode at the next instruction boundary (from inside a fault or system call).
  virtual void request_stop() = 0;
  // Runs the process until the kernel asks it to stop or `budget` instructions have retired.
  // With SliceEnd::kAtBlock the CPU stops at the first translation-block boundary at or after
  // the budget (cheap, still deterministic); with kExact it stops after exactly `budget`.
  enum class SliceEnd : uint8_t { kAtBlock, kExact };
  virtual StopReason run(uint64_t budget, SliceEnd end) = 0;
  virtual std::string error() const = 0;

  // Instructions this CPU has retired so far (exact). A new context starts at 0 and the count
  // moves only inside run(), which is how the kernel keeps the machine's total.
  virtual uint64_t instructions() const = 0;
  // Code at [start, end) may have changed behind the CPU's back: drop translated code.
  virtual void code_changed(uint64_t start, uint64_t end) = 0;
  // The scheduler runs this context on modelled CPU `cpu` from now on (its TLBs see the
  // accesses). Contexts without a model of their own ignore it.
  virtual void set_processor(size_t cpu) { (void)cpu; }
};

}  // namespace vmlab::os
