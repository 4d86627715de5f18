// How the kernel obtains processors for its processes. The emulator implements this with
// contexts on a few shared Unicorn engines (docs/design.md, "Engines and contexts"); the fuzzer
// with fake CPUs. The kernel never sees Unicorn.
#pragma once

#include <memory>

#include "os/cpu_port.h"

namespace vmlab::os {

class Process;

class Platform {
 public:
  virtual ~Platform() = default;
  // A fresh CPU for a new program image, entering user mode with `entry` on its first run.
  virtual std::unique_ptr<CpuPort> new_cpu(Process& process, const UserRegs& entry) = 0;
  // A CPU for a forked child: the parent's complete user state, the child's page tables.
  virtual std::unique_ptr<CpuPort> fork_cpu(Process& parent, Process& child) = 0;
};

}  // namespace vmlab::os
