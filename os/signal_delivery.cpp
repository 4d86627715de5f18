// Sending and delivering signals; the x86-64 rt_sigframe as Linux builds it
// (arch/x86/kernel/signal.c) and rt_sigreturn.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mmu/format.h"
#include "mmu/x86_registers.h"
#include "os/kernel.h"
#include "os/wait_status.h"

namespace vmlab::os {

namespace {

// Byte layout of the frame pieces (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h,
// include/uapi/asm-generic/siginfo.h).
struct SigContext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;
  uint64_t reserved[8];
};
static_assert(sizeof(SigContext) == 256);

struct StackT {
  uint64_t sp;
  int32_t flags;
  int32_t pad;
  uint64_t size;
};

struct UContext {
  uint64_t flags;
  uint64_t link;
  StackT stack;
  SigContext mcontext;
  uint64_t sigmask;
};
static_assert(sizeof(UContext) == 304);

struct SigInfoBytes {
  int32_t signo, err, code, pad;
  union {
    uint64_t addr;
    struct {
      int32_t pid;
      uint32_t uid;
      int32_t status;
      int32_t pad2;
      uint64_t utime, stime;
    } child;
    struct {
      int32_t tid;
      int32_t overrun;
      uint64_t value;
    } timer;
  } u;
  uint8_t rest[128 - 16 - 32];
};
static_assert(sizeof(SigInfoBytes) == 128);

struct RtSigFrame {
  uint64_t pretcode;  // the handler returns here: sa_restorer, which calls rt_sigreturn
  UContext uc;
  SigInfoBytes info;
};

constexpr uint64_t kRedZone = 128;
constexpr uint64_t kFpuAlign = 64;
constexpr uint64_t kUcSigcontextSs = 0x2, kUcStrictRestoreSs = 0x4;
constexpr int32_t kSsOnStack = 1, kSsDisable = 2;
// RFLAGS bits a user may change through sigreturn (FIX_EFLAGS in Linux).
constexpr uint64_t kUserFlags = 0x0000'0000'0025'4dd5ull;
constexpr uint64_t kFlagsClearedForHandler =
    mmu::x86::rflags::kDirection | mmu::x86::rflags::kTrap | mmu::x86::rflags::kResume;

bool on_altstack(const SignalState& s, uint64_t sp) {
  return !s.altstack_disabled && sp > s.altstack_sp && sp - s.altstack_sp <= s.altstack_size;
}

// The interrupted state as sigcontext holds it.
void save_context(SigContext& m, const UserRegs& regs, const SigInfo& info) {
  m.r8 = regs.r8, m.r9 = regs.r9, m.r10 = regs.r10, m.r11 = regs.r11;
  m.r12 = regs.r12, m.r13 = regs.r13, m.r14 = regs.r14, m.r15 = regs.r15;
  m.rdi = regs.rdi, m.rsi = regs.rsi, m.rbp = regs.rbp, m.rbx = regs.rbx;
  m.rdx = regs.rdx, m.rax = regs.rax, m.rcx = regs.rcx, m.rsp = regs.rsp;
  m.rip = regs.rip, m.eflags = regs.eflags;
  m.cs = mmu::x86::selector::kUserCs, m.ss = mmu::x86::selector::kUserDs;
  m.err = info.error_code;
  m.trapno = info.trapno;
  m.cr2 = info.address;
}

// siginfo_t: which union member is filled depends on the signal and its code.
void fill_siginfo(SigInfoBytes& out, const SigInfo& info) {
  out.signo = info.signo;
  out.err = info.errno_value;
  out.code = info.code;
  if (info.signo == sig::kChld) {
    out.u.child.pid = info.pid;
    out.u.child.uid = info.uid;
    out.u.child.status = info.status;
  } else if (info.code == si_code::kTimer) {
    out.u.timer.tid = info.timer_id;
    out.u.timer.overrun = static_cast<int32_t>(info.timer_overrun);
    out.u.timer.value = info.value;
  } else if (info.signo == sig::kSegv || info.signo == sig::kBus || info.signo == sig::kIll ||
             info.signo == sig::kFpe || info.signo == sig::kTrap) {
    out.u.addr = info.address;
  } else {
    out.u.child.pid = info.pid;
    out.u.child.uid = info.uid;
  }
}

}  // namespace

bool Kernel::signal_ignored(const Process& target, const SigInfo& info) const {
  const SigAction& action = target.signals().action(info.signo);
  const bool blocked = (target.signals().blocked & sig_bit(info.signo)) != 0;
  const bool ignored =
      action.handler == kSigIgn ||
      (action.handler == kSigDfl && (default_action(info.signo) == DefaultAction::kIgnore ||
                                     default_action(info.signo) == DefaultAction::kContinue));
  return ignored && !blocked && info.signo != sig::kKill;
}

void Kernel::send_signal(Process& target, const SigInfo& info) {
  // To the process: any of its threads that does not block the signal takes it.
  if (target.group().tids.empty() || info.signo <= 0 || info.signo > sig::kMax) return;
  if (signal_ignored(target, info)) {
    // Dropped, but tracers see it (ptrace reports ignored signals too).
    KernelEvents::raise(events_.signal, SignalEvent{target, info, SignalEvent::Kind::kIgnored});
    return;
  }
  target.group().pending.add(info);
  if (current_ != nullptr && current_->tgid() == target.tgid() && current_->has_cpu() &&
      (current_->signals().blocked & sig_bit(info.signo)) == 0)
    current_->cpu().request_stop();
}

void Kernel::send_thread_signal(Process& thread, const SigInfo& info) {
  if (thread.state() == ProcessState::kZombie || info.signo <= 0 || info.signo > sig::kMax) return;
  if (signal_ignored(thread, info)) {
    // Dropped, but tracers see it (ptrace reports ignored signals too).
    KernelEvents::raise(events_.signal, SignalEvent{thread, info, SignalEvent::Kind::kIgnored});
    return;
  }
  thread.signals().pending.add(info);
  const bool blocked = (thread.signals().blocked & sig_bit(info.signo)) != 0;
  if (!blocked && current_ == &thread && thread.has_cpu()) thread.cpu().request_stop();
}

void Kernel::force_signal(Process& target, const SigInfo& info) {
  SignalState& s = target.signals();
  SigAction& action = s.action(info.signo);
  if (action.handler == kSigIgn || (s.blocked & sig_bit(info.signo)) != 0) {
    action.handler = kSigDfl;
    s.blocked &= ~sig_bit(info.signo);
  }
  send_thread_signal(target, info);
}

void Kernel::report_fatal_signal(const Process& process, const SigInfo& info) {
  // Like the kernel's "segfault at ..." line: only for signals the program's own instruction
  // caused (the others are the sender's business and shells report them).
  if (info.rip == 0) return;
  const std::string thread = process.is_leader() ? "" : " thread " + std::to_string(process.pid());
  std::fprintf(stderr, "vmlab: pid %d (%s)%s killed by %s (%s) at address %s, rip %s\n",
               process.tgid(), process.comm.c_str(), thread.c_str(),
               signal_name(info.signo).c_str(), signal_description(info.signo).c_str(),
               mmu::hex(info.address).c_str(), mmu::hex(info.rip).c_str());
}

bool Kernel::deliver_signals(Process& process) {
  SignalState& s = process.signals();
  while (true) {
    PendingSignals& shared = process.group().pending;
    const uint64_t deliverable = process.pending_signals() & ~(s.blocked & ~kUnblockableSignals);
    if (deliverable == 0) return true;
    // Synchronous faults first (Linux SYNCHRONOUS_MASK), then the lowest number.
    constexpr uint64_t kSynchronous =
        (uint64_t{1} << (sig::kSegv - 1)) | (uint64_t{1} << (sig::kBus - 1)) |
        (uint64_t{1} << (sig::kIll - 1)) | (uint64_t{1} << (sig::kTrap - 1)) |
        (uint64_t{1} << (sig::kFpe - 1)) | (uint64_t{1} << (sig::kSys - 1));
    const uint64_t pick =
        (deliverable & kSynchronous) != 0 ? deliverable & kSynchronous : deliverable;
    const int signo = __builtin_ctzll(pick) + 1;
    // The thread's own signals before the process's, as Linux's dequeue_signal.
    const SigInfo info =
        (s.pending.mask & sig_bit(signo)) != 0 ? s.pending.take(signo) : shared.take(signo);
    const SigAction action = s.action(signo);
    using Taken = SignalEvent::Kind;
    auto taken = [&](Taken kind) {
      KernelEvents::raise(events_.signal, SignalEvent{process, info, kind});
    };
    if (action.handler == kSigIgn && signo != sig::kKill) {
      taken(Taken::kIgnored);
      continue;
    }
    if (action.handler == kSigDfl || signo == sig::kKill) {
      const DefaultAction what = default_action(signo);
      if (what == DefaultAction::kIgnore || what == DefaultAction::kContinue ||
          what == DefaultAction::kStop) {
        taken(Taken::kIgnored);
        continue;  // job control is not modelled: stop signals are ignored
      }
      taken(Taken::kDefaultAction);
      report_fatal_signal(process, info);
      exit_process(process, signaled_status(signo, what == DefaultAction::kCoreDump));
      return false;
    }
    // A user handler. A call that was waiting is interrupted (or restarted).
    if (process.state() == ProcessState::kBlocked) interrupt_blocked_call(process, action);
    taken(Taken::kHandler);
    if (!setup_frame(process, info, action)) {
      // No room for the frame: Linux forces SIGSEGV with the default action.
      std::fprintf(stderr, "vmlab: pid %d (%s): cannot build the frame for %s: stack unusable\n",
                   process.pid(), process.comm.c_str(), signal_name(signo).c_str());
      exit_process(process, signaled_status(sig::kSegv, true));
      return false;
    }
    // Like Linux on its way back to user mode, the next deliverable signal (the handler's mask
    // is in force now) gets a frame on top of this one, and its handler runs first.
  }
}

bool Kernel::setup_frame(Process& process, const SigInfo& info, const SigAction& action) {
  CpuPort& cpu = process.cpu();
  SignalState& s = process.signals();
  UserRegs regs = cpu.regs();
  uint64_t sp = regs.rsp - kRedZone;
  const bool was_on_altstack = on_altstack(s, regs.rsp);
  if ((action.flags & kSaOnstack) != 0 && !s.altstack_disabled && !was_on_altstack)
    sp = s.altstack_sp + s.altstack_size;
  sp = (sp - sizeof(FxsaveArea)) & ~(kFpuAlign - 1);
  const uint64_t fpstate = sp;
  sp -= sizeof(RtSigFrame);
  sp = (sp & ~uint64_t{15}) - 8;  // as if the handler had been called
  const uint64_t frame_address = sp;

  RtSigFrame frame{};
  frame.pretcode = action.restorer;
  frame.uc.flags = kUcSigcontextSs | kUcStrictRestoreSs;
  frame.uc.stack.sp = s.altstack_sp;
  frame.uc.stack.size = s.altstack_size;
  frame.uc.stack.flags = s.altstack_disabled ? kSsDisable : (was_on_altstack ? kSsOnStack : 0);
  save_context(frame.uc.mcontext, regs, info);
  const uint64_t mask_to_restore = s.take_mask_to_save();
  frame.uc.mcontext.oldmask = mask_to_restore;
  frame.uc.mcontext.fpstate = fpstate;
  frame.uc.sigmask = mask_to_restore;
  fill_siginfo(frame.info, info);
  UserMemory user = user_memory(process);
  const FxsaveArea fpu = cpu.fpu_state();
  if (!user.write(fpstate, fpu) || !user.write_value(frame_address, frame)) return false;

  regs.rdi = static_cast<uint64_t>(info.signo);
  regs.rsi = frame_address + offsetof(RtSigFrame, info);
  regs.rdx = frame_address + offsetof(RtSigFrame, uc);
  regs.rax = 0;
  regs.rsp = frame_address;
  regs.rip = action.handler;
  regs.eflags &= ~kFlagsClearedForHandler;
  cpu.set_regs(regs);

  s.blocked |= action.mask;
  if ((action.flags & kSaNodefer) == 0) s.blocked |= sig_bit(info.signo);
  s.blocked &= ~kUnblockableSignals;
  if ((action.flags & kSaResethand) != 0) s.action(info.signo) = SigAction{};
  return true;
}

bool Kernel::sigreturn(Process& process) {
  CpuPort& cpu = process.cpu();
  // The handler's `ret` popped pretcode: the frame starts 8 bytes below the stack pointer.
  const uint64_t frame_address = cpu.reg(Reg::kRsp) - sizeof(uint64_t);
  RtSigFrame frame{};
  UserMemory user = user_memory(process);
  if (!user.read_value(frame_address, frame)) return false;
  const SigContext& m = frame.uc.mcontext;
  UserRegs regs = cpu.regs();
  regs.r8 = m.r8, regs.r9 = m.r9, regs.r10 = m.r10, regs.r11 = m.r11;
  regs.r12 = m.r12, regs.r13 = m.r13, regs.r14 = m.r14, regs.r15 = m.r15;
  regs.rdi = m.rdi, regs.rsi = m.rsi, regs.rbp = m.rbp, regs.rbx = m.rbx;
  regs.rdx = m.rdx, regs.rax = m.rax, regs.rcx = m.rcx, regs.rsp = m.rsp;
  regs.rip = m.rip;
  regs.eflags = (regs.eflags & ~kUserFlags) | (m.eflags & kUserFlags);
  if (m.fpstate != 0) {
    FxsaveArea fpu{};
    if (!user.read(m.fpstate, fpu)) return false;
    cpu.set_fpu_state(fpu);
  }
  cpu.set_regs(regs);
  process.signals().blocked = frame.uc.sigmask & ~kUnblockableSignals;
  return true;
}

}  // namespace vmlab::os
