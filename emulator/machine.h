// The machine: RAM, the translation hardware model, the kernel image, the kernel, and one
// Unicorn CPU per process (this class is the kernel's Platform).
#pragma once

#include <cstdint>
#include <memory>

#include "emulator/cpu.h"
#include "emulator/kernel_image.h"
#include "mmu/mmu.h"
#include "mmu/physical_memory.h"
#include "os/kernel.h"
#include "os/platform.h"

namespace vmlab::emulator {

struct MachineConfig {
  uint64_t ram_bytes = 64ull << 20;
  mmu::MmuConfig mmu = mmu::MmuConfig::defaults();
  os::KernelConfig kernel;
  CpuOptions cpu;
};

class Machine final : public os::Platform {
 public:
  explicit Machine(const MachineConfig& config);
  ~Machine() override;

  const MachineConfig& config() const { return config_; }
  mmu::PhysicalMemory& ram() { return ram_; }
  mmu::Mmu& mmu() { return mmu_; }
  os::Kernel& kernel() { return *kernel_; }
  void set_cpu_observer(CpuObserver* observer) { observer_ = observer; }

  // os::Platform
  std::unique_ptr<os::CpuPort> new_cpu(os::Process& process, const os::UserRegs& entry) override;
  std::unique_ptr<os::CpuPort> fork_cpu(os::Process& parent, os::Process& child) override;

 private:
  MachineConfig config_;
  mmu::PhysicalMemory ram_;
  KernelImage image_;
  mmu::Mmu mmu_;
  std::unique_ptr<os::Kernel> kernel_;
  CpuObserver* observer_ = nullptr;
};

}  // namespace vmlab::emulator
