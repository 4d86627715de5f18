// One process on the Unicorn-free machine of fuzz/support, for the memory-management tests:
// a small static program spawned as production spawns it, system calls made by setting
// registers as the CPU would, user accesses translated by the modelled MMU with every #PF
// handed to the kernel. Each access retires one instruction of the process's clock.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/support/guest_machine.h"
#include "fuzz/support/guest_root.h"
#include "os/kernel.h"

namespace vmlab::testing {

// The spawned program's layout: one r-x text page, then .data (two file pages) and .bss.
inline constexpr uint64_t kText = 0x400000;
inline constexpr uint64_t kData = 0x401000;
inline constexpr uint64_t kDataFileBytes = 2 * 4096;
inline constexpr uint64_t kDataBytes = 4 * 4096;
// A host file in the guest root: kFilePages pages and kFileTail bytes; byte i reads as
// file_byte(i).
inline constexpr const char* kFilePath = "/data.bin";
inline constexpr uint64_t kFilePages = 3;
inline constexpr uint64_t kFileTail = 100;
inline uint8_t file_byte(uint64_t offset) {
  return static_cast<uint8_t>(offset * 7 + offset / 4096 + 1);
}

using Faults = std::vector<os::FaultResolution>;

class TestGuest {
 public:
  // A machine of `ram_bytes` with `config` (its root is replaced by the fixture's).
  explicit TestGuest(os::KernelConfig config = {}, uint64_t ram_bytes = 4 << 20);
  ~TestGuest();

  os::Kernel& kernel() { return machine_->kernel(); }
  int pid() const { return pid_; }
  os::Process& process(int pid = 0);
  os::AddressSpace& space(int pid = 0) { return process(pid).space(); }

  // A system call of process `pid` (0: the first one); its return value.
  int64_t syscall(int number, std::initializer_list<uint64_t> args, int pid = 0);
  // mmap(addr, length, prot, flags, fd, 0); the address or -errno.
  int64_t mmap(uint64_t length, int prot, int flags, int fd = -1, uint64_t addr = 0);
  // Opens kFilePath read-write in the process; the descriptor.
  int open_file(int pid = 0);
  // fork() of `pid`: the child's pid.
  int fork(int pid = 0);

  // A one-byte user access; the faults it took, in order. `completed` says whether
  // the access finished (false: it ended in a signal).
  Faults access(uint64_t va, mmu::Access access, int pid = 0, bool* completed = nullptr);
  Faults read(uint64_t va, int pid = 0) { return access(va, mmu::Access::kRead, pid); }
  Faults write(uint64_t va, int pid = 0) { return access(va, mmu::Access::kWrite, pid); }
  // The byte at va as the process reads it (faulting it in); writes `value` there.
  uint8_t peek(uint64_t va, int pid = 0);
  void poke(uint64_t va, uint8_t value, int pid = 0);
  // Writes a NUL-terminated string to user memory (the process's .bss); its address.
  uint64_t put_string(const std::string& s, int pid = 0);

 private:
  fuzz::FakeCpu& cpu(int pid);

  std::unique_ptr<fuzz::GuestRoot> root_;
  std::unique_ptr<fuzz::GuestMachine> machine_;
  int pid_ = 0;
  Faults faults_;
  os::Subscription fault_subscription_;  // a no-op once the machine (and its kernel) is gone
};

}  // namespace vmlab::testing
