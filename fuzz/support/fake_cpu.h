// A processor for the guest kernel without Unicorn: registers in a struct, and a run() that
// executes "instructions" supplied by a CpuProgram (a fuzz input) instead of guest code.
// The kernel drives it exactly as it drives the emulator's CPU: through os::CpuPort.
#pragma once

#include <cstdint>
#include <string>

#include "os/cpu_port.h"

namespace vmlab::os {
class Kernel;
class Process;
}  // namespace vmlab::os

namespace vmlab::fuzz {

class FakeCpu;

// What the CPUs execute. One program is shared by every CPU of a machine, so forked children
// and the parent consume the same fuzz input, in scheduling order.
class CpuProgram {
 public:
  virtual ~CpuProgram() = default;
  // Executes one instruction's worth of work for `pid` (a system call, a memory access...).
  virtual void step(os::Kernel& kernel, int pid, FakeCpu& cpu) = 0;
};

class FakeCpu final : public os::CpuPort {
 public:
  FakeCpu(os::Kernel& kernel, int pid, CpuProgram* program, const os::UserRegs& regs)
      : kernel_(kernel), pid_(pid), program_(program), regs_(regs) {}

  os::UserRegs regs() override { return regs_; }
  void set_regs(const os::UserRegs& regs) override { regs_ = regs; }
  uint64_t reg(os::Reg r) override;
  void set_reg(os::Reg r, uint64_t value) override;
  os::FxsaveArea fpu_state() override { return fpu_; }
  void set_fpu_state(const os::FxsaveArea& area) override { fpu_ = area; }

  void request_stop() override { stop_ = true; }
  // Steps the program until the kernel asks to leave user mode or `budget` steps are done.
  os::StopReason run(uint64_t budget, SliceEnd end) override;
  std::string error() const override { return {}; }
  uint64_t instructions() const override { return instructions_; }
  void code_changed(uint64_t, uint64_t) override {}

  bool stop_requested() const { return stop_; }
  // Counts `n` instructions as retired without running the program: tests that drive the
  // kernel call by call move the machine's clock this way (reclaim never evicts a page loaded
  // at the current instruction).
  void retire(uint64_t n);

 private:
  os::Kernel& kernel_;
  int pid_;
  CpuProgram* program_;
  os::UserRegs regs_;
  os::FxsaveArea fpu_{};
  uint64_t instructions_ = 0;
  bool stop_ = false;
};

}  // namespace vmlab::fuzz
