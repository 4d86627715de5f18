#include "fuzz/syscalls/syscall_script.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>

#include <algorithm>
#include <vector>

#include "fuzz/support/guest_machine.h"
#include "fuzz/support/user_access.h"
#include "os/address_space.h"

namespace vmlab::fuzz {

namespace {

enum class StepKind : uint8_t { kSyscall, kThread, kStore, kAccess, kSetRegister, kYield };
// Half of all step bytes are system calls, one in eight a thread's.
constexpr StepKind kStepKinds[] = {StepKind::kSyscall,     StepKind::kSyscall, StepKind::kSyscall,
                                   StepKind::kThread,      StepKind::kStore,   StepKind::kAccess,
                                   StepKind::kSetRegister, StepKind::kYield};

// clone flags as glibc's and musl's pthread_create and Go's runtime pass them, and two that
// Linux refuses (a thread without shared dispositions, shared dispositions without memory).
constexpr uint64_t kThreadFlags =
    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
constexpr uint64_t kCloneFlags[] = {
    kThreadFlags | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
    kThreadFlags | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED,
    kThreadFlags,
    CLONE_THREAD,
    CLONE_SIGHAND,
};
constexpr int kFutexOps[] = {FUTEX_WAIT,    FUTEX_WAKE,        FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET,
                             FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP};
constexpr int kFutexWords = 16;  // futex words at the start of the scratch area

enum class ArgKind : uint8_t {
  kSmall,         // a sign-extended byte: descriptors, AT_FDCWD (-100), flags, signals
  kWord,          // 32 bits
  kRaw,           // 64 bits
  kScratch,       // scratch memory + 16-bit offset (may run past its end)
  kObject,        // a ready-made path, argv/envp array or structure
  kStack,         // below the stack pointer
  kWild,          // an address from kWildAddresses
  kResult,        // a recent result (a descriptor, a pid, an mmap address)
  kResultOffset,  // a recent result + 16-bit offset (inside an mmap'd area)
  kCode,          // the program's code + 16-bit offset
  kZero,
  kAllOnes,
};
constexpr int kArgKinds = 12;

constexpr uint64_t kWildAddresses[] = {
    0,
    1,
    0xfff,
    0x1000,
    os::layout::kMmapMinAddr - 1,
    0x4fffff,  // the byte before .rodata
    0x60fff9,  // 8 bytes straddling the end of the scratch area
    0x610000,  // just past it
    os::layout::kStackTop - 8,
    os::layout::kStackTop,
    os::layout::kUserTop + 0xff8,
    0x7fff'ffff'ffff,
    0x8000'0000'0000,       // the first non-canonical address
    0xffff'8000'0000'0000,  // kernel half
    0xffff'ffff'ff60'0000,  // vsyscall page
    0xffff'ffff'ffff'ffff,
    uint64_t{1} << 39,  // PML4 slot 1 (the kernel's physical window before Unicorn 2.1)
    (uint64_t{1} << 39) + 0x1000,
    os::layout::kMmapBase - 0x1000,
    os::layout::kDynamicBase,
};

constexpr int kRegisters = 3;  // RSP, RIP, FS base
constexpr size_t kMaxStoreBytes = 64;
constexpr size_t kMaxAccessBytes = 16;

}  // namespace

uint64_t SyscallScript::argument(FakeCpu& cpu) {
  const GuestProgram& program = guest_program();
  const auto recent = [&] {
    return results_[(next_ + results_.size() - 1 - in_.u8() % results_.size()) % results_.size()];
  };
  switch (static_cast<ArgKind>(in_.u8() % kArgKinds)) {
    case ArgKind::kSmall:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(in_.u8())));
    case ArgKind::kWord:
      return in_.u32();
    case ArgKind::kRaw:
      return in_.u64();
    case ArgKind::kScratch:
      return program.scratch + in_.u16();
    case ArgKind::kObject:
      return program.objects[in_.u8() % program.objects.size()];
    case ArgKind::kStack:
      return cpu.reg(os::Reg::kRsp) - in_.u16();
    case ArgKind::kWild:
      return kWildAddresses[in_.u8() % std::size(kWildAddresses)];
    case ArgKind::kResult:
      return recent();
    case ArgKind::kResultOffset: {
      const uint64_t base = recent();
      return base + in_.u16();
    }
    case ArgKind::kCode:
      return program.text + in_.u16();
    case ArgKind::kZero:
      return 0;
    case ArgKind::kAllOnes:
      return ~uint64_t{0};
  }
  return 0;
}

void SyscallScript::system_call(os::Kernel& kernel, int pid, FakeCpu& cpu, int number) {
  std::array<uint64_t, 6> args;
  for (uint64_t& a : args)
    a = argument(cpu);
  issue(kernel, pid, cpu, number, args);
}

void SyscallScript::thread_call(os::Kernel& kernel, int pid, FakeCpu& cpu) {
  const GuestProgram& program = guest_program();
  const auto word = [&] { return program.scratch + 4 * (in_.u8() % kFutexWords); };
  switch (in_.u8() % 4) {
    case 0: {  // clone: a stack in the scratch area, TIDs in futex words
      const uint64_t flags = kCloneFlags[in_.u8() % std::size(kCloneFlags)];
      const uint64_t stack = (program.scratch + in_.u16()) & ~uint64_t{15};
      issue(kernel, pid, cpu, SYS_clone, {flags, stack, word(), word(), program.scratch, 0});
      return;
    }
    case 1: {  // futex on a scratch word: small values, a timeout or a count, a second word
      const int op = kFutexOps[in_.u8() % std::size(kFutexOps)] |
                     ((in_.u8() & 1) != 0 ? FUTEX_PRIVATE_FLAG : 0);
      const uint64_t value = in_.u8() % 4;
      const uint64_t timeout_or_count = (in_.u8() & 1) != 0 ? argument(cpu) : 0;
      issue(kernel, pid, cpu, SYS_futex,
            {word(), static_cast<uint64_t>(op), value, timeout_or_count, word(), in_.u32()});
      return;
    }
    case 2:  // this thread ends (the process with it if it is the last)
      issue(kernel, pid, cpu, SYS_exit, {in_.u8(), 0, 0, 0, 0, 0});
      return;
    default: {  // a signal for one thread of this process (or another)
      const os::Process* process = kernel.find(pid);
      const uint64_t tgid = process != nullptr ? static_cast<uint64_t>(process->tgid()) : 0;
      issue(kernel, pid, cpu, SYS_tgkill, {tgid, argument(cpu), in_.u8() % 32u, 0, 0, 0});
      return;
    }
  }
}

void SyscallScript::issue(os::Kernel& kernel, int pid, FakeCpu& cpu, int number,
                          const std::array<uint64_t, 6>& args) {
  constexpr os::Reg kArgRegs[] = {os::Reg::kRdi, os::Reg::kRsi, os::Reg::kRdx,
                                  os::Reg::kR10, os::Reg::kR8,  os::Reg::kR9};
  cpu.set_reg(os::Reg::kRax, static_cast<uint64_t>(number));
  for (size_t i = 0; i < args.size(); ++i)
    cpu.set_reg(kArgRegs[i], args[i]);
  os::Process* process = kernel.find(pid);
  if (process == nullptr || !process->has_cpu() || &process->cpu() != &cpu) {
    cpu.request_stop();  // not this CPU's process any more: nothing can run on it
    return;
  }
  ++syscalls_;
  kernel.syscall(*process);
  results_[next_++ % results_.size()] = cpu.reg(os::Reg::kRax);
}

void SyscallScript::store(int pid, FakeCpu& cpu) {
  const uint64_t va = argument(cpu);
  const auto bytes = in_.bytes(in_.u8() % (kMaxStoreBytes + 1));
  std::vector<uint8_t> data(bytes.begin(), bytes.end());
  user_access(*machine_, pid, va, mmu::Access::kWrite, data, cpu.reg(os::Reg::kRip));
}

void SyscallScript::access(int pid, FakeCpu& cpu) {
  const uint64_t va = argument(cpu);
  const uint8_t how = in_.u8();
  const auto kind = static_cast<mmu::Access>(how % mmu::kAccessKinds);
  std::vector<uint8_t> data(1 + (how / mmu::kAccessKinds) % kMaxAccessBytes);
  user_access(*machine_, pid, va, kind, data, cpu.reg(os::Reg::kRip));
}

void SyscallScript::set_register(FakeCpu& cpu) {
  constexpr os::Reg kRegs[kRegisters] = {os::Reg::kRsp, os::Reg::kRip, os::Reg::kFsBase};
  const os::Reg r = kRegs[in_.u8() % kRegisters];
  cpu.set_reg(r, argument(cpu));
}

void SyscallScript::step(os::Kernel& kernel, int pid, FakeCpu& cpu) {
  if (in_.empty()) {
    system_call(kernel, pid, cpu, SYS_exit_group);
    cpu.request_stop();
    return;
  }
  switch (kStepKinds[in_.u8() % std::size(kStepKinds)]) {
    case StepKind::kSyscall:
      system_call(kernel, pid, cpu, in_.u16() % (kMaxSyscallNumber + 1));
      return;
    case StepKind::kThread:
      thread_call(kernel, pid, cpu);
      return;
    case StepKind::kStore:
      store(pid, cpu);
      return;
    case StepKind::kAccess:
      access(pid, cpu);
      return;
    case StepKind::kSetRegister:
      set_register(cpu);
      return;
    case StepKind::kYield:
      cpu.request_stop();
      return;
  }
}

}  // namespace vmlab::fuzz
