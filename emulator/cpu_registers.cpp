// A CPU context's registers as the kernel sees them (os::CpuPort). While the CPU is inside
// `syscall`, RIP is at the instruction (Unicorn adds its length after the hook) and registers
// the kernel loads wait until the engine has stopped.
#include "emulator/cpu.h"
#include "emulator/engine.h"
#include "emulator/registers.h"

namespace vmlab::emulator {

os::UserRegs Cpu::regs() {
  if (regs_pending_) return pending_regs_;
  os::UserRegs r = engine_.registers(*this).user_regs();
  r.rip = user_rip(r.rip);
  return r;
}

void Cpu::set_regs(const os::UserRegs& regs) {
  pending_regs_ = regs;
  regs_pending_ = true;
  if (in_syscall_) request_stop();
}

uint64_t Cpu::reg(os::Reg r) {
  if (regs_pending_) return field(pending_regs_, r);
  uint64_t v = 0;
  engine_.registers(*this).read(unicorn_id(r), &v);
  return r == os::Reg::kRip ? user_rip(v) : v;
}

void Cpu::read_regs(std::span<const os::Reg> regs, std::span<uint64_t> out) {
  constexpr size_t kMost = 8;  // a system call's number and arguments: 7
  if (regs_pending_ || regs.size() > kMost) {
    CpuPort::read_regs(regs, out);
    return;
  }
  int ids[kMost];
  void* values[kMost];
  for (size_t i = 0; i < regs.size(); ++i) {
    ids[i] = unicorn_id(regs[i]);
    values[i] = &out[i];
  }
  engine_.registers(*this).read_batch(ids, values, static_cast<int>(regs.size()));
  for (size_t i = 0; i < regs.size(); ++i)
    if (regs[i] == os::Reg::kRip) out[i] = user_rip(out[i]);
}

void Cpu::set_reg(os::Reg r, uint64_t value) {
  if (!regs_pending_ && (r != os::Reg::kRip || !in_syscall_)) {
    engine_.registers(*this).write(unicorn_id(r), &value);
    return;
  }
  if (!regs_pending_) set_regs(regs());
  field(pending_regs_, r) = value;
}

os::FxsaveArea Cpu::fpu_state() {
  return engine_.registers(*this).fpu();
}

void Cpu::set_fpu_state(const os::FxsaveArea& area) {
  engine_.registers(*this).set_fpu(area);
}

}  // namespace vmlab::emulator
