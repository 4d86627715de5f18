// The system-call dispatcher and the retry loop of calls that wait.
#include <cerrno>
#include <cstdio>
#include <iterator>

#include "os/kernel.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kSyscallInstructionBytes = 2;  // 0f 05

SyscallContext context_for(Kernel& kernel, Process& process, const BlockedCall& call, bool retry) {
  SyscallContext ctx{kernel, process, call.number, {}, retry, false, false, 0};
  std::copy(std::begin(call.args), std::end(call.args), std::begin(ctx.args));
  return ctx;
}

}  // namespace

void Kernel::raise_syscall_event(const Process& process, const BlockedCall& call, int64_t result,
                                 bool entry) {
  if (events_.syscall.empty()) return;
  SyscallEvent event{process, call.number, {}, result, entry};
  std::copy(std::begin(call.args), std::end(call.args), std::begin(event.args));
  KernelEvents::raise(events_.syscall, event);
}

int64_t Kernel::dispatch(Process& process, const BlockedCall& call, bool retry, bool* block,
                         bool* no_return) {
  SyscallContext ctx = context_for(*this, process, call, retry);
  if (!retry) raise_syscall_event(process, call, 0, /*entry=*/true);
  const SyscallEntry* entry = syscalls_.find(call.number);
  int64_t result;
  if (entry == nullptr) {
    if (call.number >= 0) {
      const std::string name = syscall_name(call.number);
      warn_once("vmlab: unsupported system call " + std::to_string(call.number) +
                (name.empty() ? "" : " (" + name + ")") + ", returning ENOSYS");
    }
    result = -ENOSYS;
  } else {
    result = entry->handler(ctx);
  }
  *block = ctx.block;
  *no_return = ctx.no_return;
  if (ctx.block) process.blocked_call().wake_at_ns = ctx.wake_at_ns;
  if (!ctx.block) raise_syscall_event(process, call, result, /*entry=*/false);
  return result;
}

void Kernel::syscall(Process& process) {
  CpuPort& cpu = process.cpu();
  ++process.counters().syscalls;
  charge(&process, CycleKind::kSyscall, cycle_cost::kSyscall);
  BlockedCall call;
  constexpr Reg kCallRegs[] = {Reg::kRax, Reg::kRdi, Reg::kRsi, Reg::kRdx,
                               Reg::kR10, Reg::kR8,  Reg::kR9};
  uint64_t values[std::size(kCallRegs)];
  cpu.read_regs(kCallRegs, values);
  call.number = static_cast<int>(values[0]);
  for (int i = 0; i < 6; ++i)
    call.args[i] = values[i + 1];
  process.blocked_call() = call;
  bool block = false, no_return = false;
  const int64_t result = dispatch(process, call, /*retry=*/false, &block, &no_return);
  if (block) {
    process.set_state(ProcessState::kBlocked);
    cpu.request_stop();
    return;
  }
  if (!no_return) cpu.set_reg(Reg::kRax, static_cast<uint64_t>(result));
  // Leave user mode if the scheduler has something to do: the process died or exec'd, or a
  // signal waits for delivery.
  if (no_return || process.state() != ProcessState::kRunnable || process.has_deliverable_signal())
    cpu.request_stop();
}

bool Kernel::retry_blocked(Process& process) {
  // The call first, as Linux looks at the condition it waits for before at signals: a pipe
  // that has data, a child that exited or an expired timeout complete the call, and a pending
  // signal is delivered on the way back to user mode.
  const BlockedCall call = process.blocked_call();
  current_ = &process;
  bool block = false, no_return = false;
  const int64_t result = dispatch(process, call, /*retry=*/true, &block, &no_return);
  if (process.state() == ProcessState::kZombie) return false;
  if (block) {
    return process.has_deliverable_signal();  // delivery interrupts the call
  }
  finish_blocked(process, result);
  return process.state() == ProcessState::kRunnable;
}

void Kernel::interrupt_blocked_call(Process& process, const SigAction& action) {
  BlockedCall& call = process.blocked_call();
  const SyscallEntry* entry = syscalls_.find(call.number);
  const bool restart = entry != nullptr && entry->on_signal == OnSignal::kRestartIfSaRestart &&
                       (action.flags & kSaRestart) != 0;
  CpuPort& cpu = process.cpu();
  if (restart) {
    cpu.set_reg(Reg::kRip, cpu.reg(Reg::kRip) - kSyscallInstructionBytes);  // run it again
    cpu.set_reg(Reg::kRax, static_cast<uint64_t>(call.number));
  } else {
    int64_t result = -EINTR;
    if (entry != nullptr && entry->interrupted != nullptr) {
      SyscallContext ctx = context_for(*this, process, call, /*retry=*/true);
      result = entry->interrupted(ctx);
    }
    cpu.set_reg(Reg::kRax, static_cast<uint64_t>(result));
    raise_syscall_event(process, call, result, /*entry=*/false);  // it ends here
  }
  call.wake_at_ns = 0;
  process.set_state(ProcessState::kRunnable);
}

void Kernel::finish_blocked(Process& process, int64_t result) {
  process.blocked_call().wake_at_ns = 0;
  process.set_state(ProcessState::kRunnable);
  process.cpu().set_reg(Reg::kRax, static_cast<uint64_t>(result));
}

}  // namespace vmlab::os
