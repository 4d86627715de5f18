// The guest kernel on a machine without Unicorn: RAM, the modelled MMU, and FakeCpus supplied
// through os::Platform, laid out like emulator::Machine (RAM at physical address 0, the first
// frames reserved for the kernel) so that the kernel sees the machine it sees in production.
#pragma once

#include <cstdint>
#include <memory>

#include "fuzz/support/fake_cpu.h"
#include "mmu/mmu.h"
#include "mmu/physical_memory.h"
#include "os/kernel.h"
#include "os/platform.h"

namespace vmlab::fuzz {

// The emulator's RAM base (emulator/kernel_image.h).
inline constexpr uint64_t kRamBase = 0;

struct GuestMachineConfig {
  uint64_t ram_bytes = 4 << 20;
  mmu::MmuConfig mmu = mmu::MmuConfig::defaults();
  os::KernelConfig kernel;
};

class GuestMachine final : public os::Platform {
 public:
  // `program` drives every CPU; it may be null when nothing calls Kernel::run().
  GuestMachine(const GuestMachineConfig& config, CpuProgram* program);
  ~GuestMachine() override;

  mmu::PhysicalMemory& ram() { return ram_; }
  mmu::Mmu& mmu() { return mmu_; }
  os::Kernel& kernel() { return *kernel_; }

  // Page faults the kernel has handled so far, and how the last one was resolved.
  uint64_t faults_seen() const { return faults_seen_; }
  os::FaultResolution last_fault() const { return last_fault_; }

  std::unique_ptr<os::CpuPort> new_cpu(os::Process& process, const os::UserRegs& entry) override;
  std::unique_ptr<os::CpuPort> fork_cpu(os::Process& parent, os::Process& child) override;

 private:
  // Frame 0 holds the kernel's PDPT. The fuzz machine has no ring-0 code, so it stays empty:
  // the kernel's PML4 slot is present but maps nothing, as far as user space can tell.
  static constexpr uint64_t kReservedFrames = 1;

  mmu::PhysicalMemory ram_;
  mmu::Mmu mmu_;
  CpuProgram* program_;
  std::unique_ptr<os::Kernel> kernel_;
  uint64_t faults_seen_ = 0;
  os::FaultResolution last_fault_ = os::FaultResolution::kSpurious;
  os::Subscription fault_subscription_;
};

}  // namespace vmlab::fuzz
