// What the CPU reports to tracers and scripts as it runs. Every call is made only when an
// observer is installed, so an untraced run pays one pointer test per event.
#pragma once

#include <cstdint>
#include <span>

#include "mmu/mmu.h"

namespace vmlab::os {
class Process;
}

namespace vmlab::emulator {

class CpuObserver {
 public:
  virtual ~CpuObserver() = default;
  // Asked when a CPU is created: a per-instruction hook costs ~7 ns on every instruction, so
  // it is installed only for observers that want instructions.
  virtual bool wants_instructions() const { return false; }
  // An instruction is about to execute; `index` is the number of instructions the process's
  // CPU retired before it.
  virtual void on_instruction(const os::Process&, uint64_t /*address*/,
                              std::span<const uint8_t> /*bytes*/, uint64_t /*index*/) {}
  // A data access was translated by the model (full model only), right after the MMU
  // observer saw its translation.
  virtual void on_access(const os::Process&, uint64_t /*va*/, mmu::Access, int /*size*/,
                         const mmu::Translation&) {}
};

}  // namespace vmlab::emulator
