#include "fuzz/support/guest_machine.h"

namespace vmlab::fuzz {

GuestMachine::GuestMachine(const GuestMachineConfig& config, CpuProgram* program)
    : ram_(mmu::PhysAddr{kRamBase}, config.ram_bytes), mmu_(ram_, config.mmu), program_(program) {
  os::BootInfo boot;
  boot.reserved_frames = kReservedFrames;
  ram_.fill(ram_.base(), 0, kReservedFrames * mmu::kPageBytes);
  kernel_ = std::make_unique<os::Kernel>(config.kernel, mmu_, *this, boot);
  fault_subscription_ = kernel_->events().fault.subscribe([this](const os::FaultEvent& e) {
    ++faults_seen_;
    last_fault_ = e.resolution;
  });
}

GuestMachine::~GuestMachine() {
  // Processes and their CPUs go before the memory they live in.
  kernel_.reset();
}

std::unique_ptr<os::CpuPort> GuestMachine::new_cpu(os::Process& process,
                                                   const os::UserRegs& entry) {
  return std::make_unique<FakeCpu>(*kernel_, process.pid(), program_, entry);
}

std::unique_ptr<os::CpuPort> GuestMachine::fork_cpu(os::Process& parent, os::Process& child) {
  auto cpu = std::make_unique<FakeCpu>(*kernel_, child.pid(), program_, parent.cpu().regs());
  cpu->set_fpu_state(parent.cpu().fpu_state());
  return cpu;
}

}  // namespace vmlab::fuzz
