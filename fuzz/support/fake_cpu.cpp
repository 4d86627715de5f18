#include "fuzz/support/fake_cpu.h"

#include "os/kernel.h"

namespace vmlab::fuzz {

uint64_t FakeCpu::reg(os::Reg r) {
  switch (r) {
    case os::Reg::kRax:
      return regs_.rax;
    case os::Reg::kRdi:
      return regs_.rdi;
    case os::Reg::kRsi:
      return regs_.rsi;
    case os::Reg::kRdx:
      return regs_.rdx;
    case os::Reg::kR10:
      return regs_.r10;
    case os::Reg::kR8:
      return regs_.r8;
    case os::Reg::kR9:
      return regs_.r9;
    case os::Reg::kRip:
      return regs_.rip;
    case os::Reg::kRsp:
      return regs_.rsp;
    case os::Reg::kRcx:
      return regs_.rcx;
    case os::Reg::kR11:
      return regs_.r11;
    case os::Reg::kFsBase:
      return regs_.fs_base;
    case os::Reg::kGsBase:
      return regs_.gs_base;
  }
  return 0;
}

void FakeCpu::set_reg(os::Reg r, uint64_t value) {
  switch (r) {
    case os::Reg::kRax:
      regs_.rax = value;
      return;
    case os::Reg::kRdi:
      regs_.rdi = value;
      return;
    case os::Reg::kRsi:
      regs_.rsi = value;
      return;
    case os::Reg::kRdx:
      regs_.rdx = value;
      return;
    case os::Reg::kR10:
      regs_.r10 = value;
      return;
    case os::Reg::kR8:
      regs_.r8 = value;
      return;
    case os::Reg::kR9:
      regs_.r9 = value;
      return;
    case os::Reg::kRip:
      regs_.rip = value;
      return;
    case os::Reg::kRsp:
      regs_.rsp = value;
      return;
    case os::Reg::kRcx:
      regs_.rcx = value;
      return;
    case os::Reg::kR11:
      regs_.r11 = value;
      return;
    case os::Reg::kFsBase:
      regs_.fs_base = value;
      return;
    case os::Reg::kGsBase:
      regs_.gs_base = value;
      return;
  }
}

void FakeCpu::retire(uint64_t n) {
  instructions_ += n;
  kernel_.count_instructions_outside_run(n);
}

os::StopReason FakeCpu::run(uint64_t budget, SliceEnd) {
  stop_ = false;
  for (uint64_t done = 0; done < budget; ++done) {
    ++instructions_;
    // The step may end the process or replace this CPU (exit, execve): both request a stop
    // first, and the kernel keeps this object alive until run() has returned.
    program_->step(kernel_, pid_, *this);
    if (stop_) return os::StopReason::kKernelRequest;
  }
  return os::StopReason::kBudgetExhausted;
}

}  // namespace vmlab::fuzz
