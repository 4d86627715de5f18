// What the CPU reports to tracers and scripts as it runs. Every call is made only when an
// observer is installed, so an untraced run pays one pointer test per event.
#pragma once

#include <cstdint>

#include "mmu/mmu.h"

namespace vmlab::os {
class Process;
}

namespace vmlab::emulator {

class CpuObserver {
 public:
  virtual ~CpuObserver() = default;
  // A translation block of `instructions` instructions starts executing.
  virtual void on_block(const os::Process&, uint64_t /*address*/, uint32_t /*size*/,
                        uint32_t /*instructions*/) {}
  // A data access was translated by the model (full model only).
  virtual void on_access(const os::Process&, uint64_t /*va*/, mmu::Access, int /*size*/,
                         const mmu::Translation&) {}
};

}  // namespace vmlab::emulator
