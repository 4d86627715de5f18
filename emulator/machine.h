// The machine: RAM at physical address 0, the translation hardware model, the kernel image, the
// kernel, and the engines of its modelled CPU. This class is the kernel's Platform: it hands
// out CPU contexts.
//
// A context switch on one engine costs a save and a restore of the whole CPU state and a flush
// of the engine's TLB. Like PCIDs, which let a TLB keep several address spaces' entries, the
// machine keeps up to kEnginesPerCpu engines and gives each new context a home on the least
// busy one: processes that alternate (a pipeline, a parent and its child) usually live on
// different engines, and switching between them costs nothing but running the other engine.
// Which engine a process lives on never shows in its results.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

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
  // The hardware model of CPU `cpu` (its TLBs, paging-structure caches, statistics).
  mmu::Mmu& mmu(size_t cpu = 0) { return *mmus_.at(cpu); }
  size_t cpu_count() const { return mmus_.size(); }
  // Machine-wide sums over the CPUs' models.
  uint64_t translations(mmu::Access access) const;
  uint64_t level_hits(mmu::TlbLevel level) const;
  uint64_t level_misses(mmu::TlbLevel level) const;
  uint64_t mmu_stat(const std::string& name) const;
  // Every CPU's model reports to `observer` (null: none).
  void set_mmu_observer(mmu::MmuObserver* observer);
  os::Kernel& kernel() { return *kernel_; }
  // Must be set before the first process starts (the engine's hooks depend on it).
  void set_cpu_observer(CpuObserver* observer) { observer_ = observer; }
  static constexpr size_t kEnginesPerCpu = 4;
  static constexpr size_t kEnginesAtBoot = 2;

  // os::Platform
  std::unique_ptr<os::CpuPort> new_cpu(os::Process& process, const os::UserRegs& entry) override;
  std::unique_ptr<os::CpuPort> fork_cpu(os::Process& parent, os::Process& child) override;

 private:
  // The home of a new context: an engine without contexts (created while fewer than
  // kEnginesPerCpu exist), or else the one with the fewest (the first such).
  Engine& engine_for_new_context();
  // What a new context reaches of the machine (emulator/cpu.h).
  CpuLinks cpu_links();

  MachineConfig config_;
  mmu::PhysicalMemory ram_;
  KernelImage image_;
  std::vector<std::unique_ptr<mmu::Mmu>> mmus_;  // one per modelled CPU
  std::vector<mmu::Mmu*> processors_;            // the same, as the kernel and contexts see them
  std::vector<std::unique_ptr<Engine>> engines_;
  std::unique_ptr<os::Kernel> kernel_;
  CpuObserver* observer_ = nullptr;
};

}  // namespace vmlab::emulator
