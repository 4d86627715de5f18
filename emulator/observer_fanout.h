// Several observers behind the machine's single CPU-observer and MMU-observer pointers (a
// tracer and a Lua script can watch the same run). Each call goes to every observer in the
// order they were added; instructions only to those that asked for them.
#pragma once

#include <vector>

#include "emulator/cpu_observer.h"
#include "mmu/mmu.h"

namespace vmlab::emulator {

class ObserverFanout final : public CpuObserver, public mmu::MmuObserver {
 public:
  void add(CpuObserver* observer) { cpu_.push_back(observer); }
  void add(mmu::MmuObserver* observer) { mmu_.push_back(observer); }
  bool has_cpu_observers() const { return !cpu_.empty(); }
  bool has_mmu_observers() const { return !mmu_.empty(); }

  // CpuObserver
  bool wants_instructions() const override;
  void on_instruction(const os::Process& process, uint64_t address, std::span<const uint8_t> bytes,
                      uint64_t index) override;
  void on_access(const os::Process& process, uint64_t va, mmu::Access access, int size,
                 const mmu::Translation& t) override;
  // mmu::MmuObserver
  void on_translation(const mmu::TranslationEvent& e) override;
  void on_invalidation(const mmu::InvalidationEvent& e) override;

 private:
  std::vector<CpuObserver*> cpu_;
  std::vector<mmu::MmuObserver*> mmu_;
};

}  // namespace vmlab::emulator
