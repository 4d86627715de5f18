// The fuzz input as the instruction stream of every guest process. Each step is one of:
//   a system call: a number in 0..450 and six arguments,
//   a thread's system call: clone with the flags of pthread_create and Go, futex on words of
//   the scratch area, exit of one thread, tgkill,
//   a user store or load or instruction fetch at an address (page faults, COW, stack growth),
//   a register change (stack pointer, instruction pointer, FS base: signal frames go there),
//   a yield (the scheduler switches process).
// Arguments are small integers, raw 64-bit values, pointers into the program's scratch
// memory, its ready-made paths and structures, its stack or code, recent results (descriptors,
// mmap addresses), or wild addresses (NULL, unmapped, kernel, non-canonical, straddling).
// When the input runs out, each process calls exit_group(0).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "fuzz/support/byte_reader.h"
#include "fuzz/support/fake_cpu.h"
#include "fuzz/syscalls/guest_program.h"

namespace vmlab::fuzz {

class GuestMachine;

class SyscallScript final : public CpuProgram {
 public:
  static constexpr int kMaxSyscallNumber = 450;

  explicit SyscallScript(std::span<const uint8_t> steps) : in_(steps) {}
  void attach(GuestMachine& machine) { machine_ = &machine; }

  void step(os::Kernel& kernel, int pid, FakeCpu& cpu) override;
  uint64_t syscalls() const { return syscalls_; }

 private:
  uint64_t argument(FakeCpu& cpu);
  void system_call(os::Kernel& kernel, int pid, FakeCpu& cpu, int number);
  void thread_call(os::Kernel& kernel, int pid, FakeCpu& cpu);
  void issue(os::Kernel& kernel, int pid, FakeCpu& cpu, int number,
             const std::array<uint64_t, 6>& args);
  void store(int pid, FakeCpu& cpu);
  void access(int pid, FakeCpu& cpu);
  void set_register(FakeCpu& cpu);

  ByteReader in_;
  GuestMachine* machine_ = nullptr;
  std::array<uint64_t, 8> results_{};  // the latest system-call results, newest at next_ - 1
  size_t next_ = 0;
  uint64_t syscalls_ = 0;
};

}  // namespace vmlab::fuzz
