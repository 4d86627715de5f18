// The kernel reading and writing a process's memory (copy_from_user / copy_to_user).
//
// Accesses go through the process's page tables in supervisor mode with CR0.WP set, like a
// Linux kernel: a missing page is faulted in (and counted as a fault of the process), a
// copy-on-write page is copied before the kernel writes to it, and an address the process
// does not own is EFAULT. These accesses set Accessed/Dirty bits but do not go through the
// modelled TLBs (they are not counted in TLB statistics).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mmu/paging.h"
#include "os/result.h"

namespace vmlab::os {

class FrameAllocator;
class Process;
struct FaultRequest;

// The kernel's fault handler, for the faults it takes on user memory (Linux's exception
// fixups in copy_from_user): true when the fault was resolved.
class UserFaultHandler {
 public:
  virtual bool kernel_fault(Process& process, const FaultRequest& request) = 0;

 protected:
  ~UserFaultHandler() = default;
};

class UserMemory {
 public:
  // `control`: the CPU's paging controls (CR0.WP, NX, MAXPHYADDR); the process's CR3 is used.
  // Kernel::user_memory() makes one.
  UserMemory(FrameAllocator& frames, const mmu::PagingControl& control, UserFaultHandler& faults,
             Process& process)
      : frames_(frames), control_(control), faults_(faults), process_(process) {}

  bool read(uint64_t va, std::span<uint8_t> out);
  bool write(uint64_t va, std::span<const uint8_t> in);
  bool zero(uint64_t va, uint64_t length);
  // A NUL-terminated string of at most `max` bytes: EFAULT, or ENAMETOOLONG without a NUL.
  Result<std::string> read_string(uint64_t va, size_t max);
  // A NULL-terminated array of string pointers (argv, envp): EFAULT, ENAMETOOLONG, E2BIG.
  Result<std::vector<std::string>> read_string_array(uint64_t va);

  // Reads without side effects, for tracers and debuggers: no faults are taken, no Accessed
  // bits are set. False when any byte is not resident.
  bool peek(uint64_t va, std::span<uint8_t> out) const;
  // A NUL-terminated string of at most `max` bytes, read like peek(); nullopt if unreadable.
  std::optional<std::string> peek_string(uint64_t va, size_t max) const;

  template <typename T>
  bool read_value(uint64_t va, T& value) {
    return read(va, {reinterpret_cast<uint8_t*>(&value), sizeof value});
  }
  template <typename T>
  bool write_value(uint64_t va, const T& value) {
    return write(va, {reinterpret_cast<const uint8_t*>(&value), sizeof value});
  }

 private:
  // Host pointer to the byte at va with the page accessible for `write`; faults pages in.
  uint8_t* page_for(uint64_t va, bool write);

  FrameAllocator& frames_;
  mmu::PagingControl control_;
  UserFaultHandler& faults_;
  Process& process_;
};

}  // namespace vmlab::os
