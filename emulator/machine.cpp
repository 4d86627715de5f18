#include "emulator/machine.h"

#include <algorithm>

#include "emulator/cpu_observer.h"

namespace vmlab::emulator {

Machine::Machine(const MachineConfig& config)
    : config_(config), ram_(mmu::PhysAddr{kRamBase}, config.ram_bytes), image_(ram_) {
  for (uint32_t i = 0; i < std::max<uint32_t>(1, config.kernel.cpus); ++i) {
    mmus_.push_back(std::make_unique<mmu::Mmu>(ram_, config.mmu));
    processors_.push_back(mmus_.back().get());
  }
  os::BootInfo boot;
  boot.reserved_frames = KernelImage::kFrames;
  kernel_ = std::make_unique<os::Kernel>(config_.kernel, processors_, *this, boot);
  kernel_->frames().set_contents_listener([this](mmu::Pfn first, uint64_t frames) {
    for (auto& engine : engines_)
      for (uint64_t i = 0; i < frames; ++i)
        engine->forget_code(mmu::Pfn{first.value + i}.address());
  });
}

uint64_t Machine::translations(mmu::Access access) const {
  uint64_t sum = 0;
  for (const auto& m : mmus_)
    sum += m->translations(access);
  return sum;
}

uint64_t Machine::level_hits(mmu::TlbLevel level) const {
  uint64_t sum = 0;
  for (const auto& m : mmus_)
    sum += m->level_hits(level);
  return sum;
}

uint64_t Machine::level_misses(mmu::TlbLevel level) const {
  uint64_t sum = 0;
  for (const auto& m : mmus_)
    sum += m->level_misses(level);
  return sum;
}

uint64_t Machine::mmu_stat(const std::string& name) const {
  uint64_t sum = 0;
  for (const auto& m : mmus_)
    sum += m->stats().value(name);
  return sum;
}

void Machine::set_mmu_observer(mmu::MmuObserver* observer) {
  for (const auto& m : mmus_)
    m->set_observer(observer);
}

Machine::~Machine() {
  // Processes (and their CPU contexts) go before the engine and the memory they run in.
  kernel_.reset();
  engines_.clear();
}

Engine& Machine::engine_for_new_context() {
  // Engines are created when the first process starts (the observer is known by then): two at
  // once, so that the first fork costs no engine creation (BM_NewEngine: ~160 us), the others
  // when every existing engine already holds a context.
  EngineOptions options;
  options.memory_hooks = config_.cpu.model == ModelMode::kFull;
  options.instruction_hook = observer_ != nullptr && observer_->wants_instructions();
  while (engines_.size() < kEnginesAtBoot)
    engines_.push_back(std::make_unique<Engine>(ram_, image_, options));
  Engine* best = engines_.front().get();
  for (auto& engine : engines_)
    if (engine->contexts() < best->contexts()) best = engine.get();
  if (best->contexts() > 0 && engines_.size() < kEnginesPerCpu) {
    engines_.push_back(std::make_unique<Engine>(ram_, image_, options));
    best = engines_.back().get();
  }
  return *best;
}

CpuLinks Machine::cpu_links() {
  os::Reclaimer& reclaim = kernel_->reclaim();
  return CpuLinks{*kernel_, processors_, reclaim.wants_accesses() ? &reclaim : nullptr};
}

std::unique_ptr<os::CpuPort> Machine::new_cpu(os::Process& process, const os::UserRegs& entry) {
  auto cpu =
      std::make_unique<Cpu>(cpu_links(), process, engine_for_new_context(), config_.cpu, observer_);
  cpu->start_user(entry);
  return cpu;
}

std::unique_ptr<os::CpuPort> Machine::fork_cpu(os::Process& parent, os::Process& child) {
  auto cpu =
      std::make_unique<Cpu>(cpu_links(), child, engine_for_new_context(), config_.cpu, observer_);
  cpu->copy_context_from(static_cast<Cpu&>(parent.cpu()));
  return cpu;
}

}  // namespace vmlab::emulator
