// The machine: RAM at physical address 0, the translation hardware model, the kernel image, the
// kernel, and one engine (the modelled CPU) that runs every process's context in turn. This
// class is the kernel's Platform: it hands out CPU contexts.
#pragma once

#include <cstdint>
#include <memory>

#include "emulator/cpu.h"
#include "emulator/engine.h"
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
  // Must be set before the first process starts (the engine's hooks depend on it).
  void set_cpu_observer(CpuObserver* observer) { observer_ = observer; }
  // The engine, once the first process has started (null before).
  const Engine* engine() const { return engine_.get(); }

  // os::Platform
  std::unique_ptr<os::CpuPort> new_cpu(os::Process& process, const os::UserRegs& entry) override;
  std::unique_ptr<os::CpuPort> fork_cpu(os::Process& parent, os::Process& child) override;

 private:
  Engine& engine();

  MachineConfig config_;
  mmu::PhysicalMemory ram_;
  KernelImage image_;
  mmu::Mmu mmu_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<os::Kernel> kernel_;
  CpuObserver* observer_ = nullptr;
};

}  // namespace vmlab::emulator
