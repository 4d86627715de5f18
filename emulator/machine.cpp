#include "emulator/machine.h"

namespace vmlab::emulator {

Machine::Machine(const MachineConfig& config)
    : config_(config),
      ram_(mmu::PhysAddr{kRamBase}, config.ram_bytes),
      image_(ram_),
      mmu_(ram_, config.mmu) {
  os::BootInfo boot;
  boot.kernel_pdpt = image_.kernel_pdpt();
  boot.kernel_pml4_index = image_.pml4_index();
  boot.reserved_frames = KernelImage::kFrames;
  kernel_ = std::make_unique<os::Kernel>(config_.kernel, mmu_, *this, boot);
}

Machine::~Machine() {
  // Processes (and their CPUs) go before the memory they run in.
  kernel_.reset();
}

std::unique_ptr<os::CpuPort> Machine::new_cpu(os::Process& process, const os::UserRegs& entry) {
  auto cpu = std::make_unique<Cpu>(*kernel_, process, mmu_, image_, config_.cpu, observer_);
  cpu->alias_all();  // pages the kernel already wrote (the initial stack)
  cpu->start_user(entry);
  return cpu;
}

std::unique_ptr<os::CpuPort> Machine::fork_cpu(os::Process& parent, os::Process& child) {
  auto cpu = std::make_unique<Cpu>(*kernel_, child, mmu_, image_, config_.cpu, observer_);
  cpu->alias_all();
  cpu->copy_context_from(static_cast<Cpu&>(parent.cpu()));
  return cpu;
}

}  // namespace vmlab::emulator
