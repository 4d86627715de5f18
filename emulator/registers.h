// The register table between the kernel's view of a CPU (os::UserRegs, os::Reg, the FXSAVE
// image of a signal frame) and Unicorn's register ids, for a live engine or a saved context.
#pragma once

#include <cstdint>

#include "os/cpu_port.h"

struct uc_struct;
struct uc_context;

namespace vmlab::emulator {

// Unicorn's id for a register the kernel names.
int unicorn_id(os::Reg r);
// The field of UserRegs that holds `r`.
uint64_t& field(os::UserRegs& regs, os::Reg r);

// Registers of a live engine, or of a context saved from one (exactly one of the two is set).
struct RegisterFile {
  uc_struct* engine = nullptr;
  uc_context* context = nullptr;

  void read(int id, void* value) const;
  // Reads count registers at once (one call into Unicorn).
  void read_batch(int* ids, void** values, int count) const;
  void write(int id, const void* value) const;
  os::UserRegs user_regs() const;
  void set_user_regs(const os::UserRegs& regs) const;
  // The x87/SSE state as the legacy FXSAVE image (SDM Vol. 1 §10.5.1).
  os::FxsaveArea fpu() const;
  void set_fpu(const os::FxsaveArea& area) const;
};

}  // namespace vmlab::emulator
