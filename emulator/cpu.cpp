#include "emulator/cpu.h"

#include <unicorn/unicorn.h>

#include <algorithm>
#include <stdexcept>

#include "emulator/cpu_observer.h"
#include "emulator/engine.h"
#include "emulator/registers.h"
#include "mmu/format.h"
#include "os/process.h"

namespace vmlab::emulator {

using mmu::hex;

namespace {

// A kernel that keeps answering a fault without making the access possible is a bug; after
// this many rounds without an instruction retiring the run stops with an error.
constexpr int kMaxRepeatedFaults = 64;
// uc_emu_start's end address; ignored, since the engines run with exits enabled and none set
// (engine.cpp), and non-canonical besides.
constexpr uint64_t kNeverReached = uint64_t{1} << 63;

}  // namespace

Cpu::Cpu(const CpuLinks& links, os::Process& process, Engine& engine, const CpuOptions& options,
         CpuObserver* observer)
    : kernel_(links.kernel),
      processors_(links.processors),
      access_tracker_(options.model == ModelMode::kFull ? links.access_tracker : nullptr),
      process_(process),
      mmu_(processors_.front()),
      engine_(engine),
      options_(options),
      observer_(observer),
      context_(engine.new_context()),
      counter_([this](uint64_t va, std::span<uint8_t> out) { return read_code(va, out); }),
      check_(options.check),
      space_(process.shared_space()) {
  engine_.attach();
  process_.space().add_observer(this);
  plain_accesses_ = options_.model == ModelMode::kFull && observer_ == nullptr &&
                    access_tracker_ == nullptr && !options_.check;
}

Cpu::~Cpu() {
  // The space outlives this context while other threads run in it.
  if (const auto space = space_.lock()) space->remove_observer(this);
  engine_.unbind(*this);
  engine_.detach();
  uc_context_free(context_);
}

void Cpu::start_user(const os::UserRegs& regs) {
  pending_regs_ = regs;
  regs_pending_ = true;
}

void Cpu::copy_context_from(Cpu& parent) {
  // The parent is inside `syscall`: its state is the child's, and the child resumes after the
  // instruction with RCX = return address and R11 = RFLAGS, as on Linux. On the parent's own
  // engine the whole live state is copied; on another one the child's context (the engine's
  // user-mode template) takes the parent's registers and x87/SSE state.
  if (&parent.engine_ == &engine_)
    engine_.save(context_);
  else
    RegisterFile{nullptr, context_}.set_fpu(parent.fpu_state());
  os::UserRegs r = parent.regs();
  r.rcx = r.rip;
  r.r11 = r.eflags;
  pending_regs_ = r;
  regs_pending_ = true;
}

// ---------------------------------------------------------------------------------------------
// Running

void Cpu::request_stop() {
  stop(StopCause::kKernel);
}

void Cpu::stop(StopCause cause) {
  // A request for the kernel wins; a resync never hides another reason.
  if (stop_ == StopCause::kKernel || (cause == StopCause::kResync && stop_ != StopCause::kNone))
    return;
  stop_ = cause;
  if (running_) uc_emu_stop(engine_.uc());
}

void Cpu::resync_translations() {
  engine_.flush_tlb_if_pending();
  // Only code matters: data accesses always consult the TLB, chained blocks do not.
  if (code_unmapped_ && running_) stop_before_next_block(StopCause::kResync);
  code_unmapped_ = false;
}

void Cpu::stop_before_next_block(StopCause cause) {
  // A stop requested in the middle of a block takes effect at the next block boundary with RIP
  // wherever Unicorn last synchronised it; stopping from the next block hook instead leaves a
  // known RIP (see run()).
  deferred_stop_ = cause;
  counter_.force_slow_path();
}

uint64_t Cpu::live_rip() {
  uint64_t rip = 0;
  uc_reg_read(engine_.uc(), UC_X86_REG_RIP, &rip);
  return rip;
}

void Cpu::load_pending_state() {
  if (exception_taken_) {
    exception_taken_ = false;
    engine_.reset_exception_state();
  }
  if (regs_pending_) {
    regs_pending_ = false;
    RegisterFile{engine_.uc(), nullptr}.set_user_regs(pending_regs_);
  }
  engine_.flush_tlb_if_pending();
}

os::StopReason Cpu::run(uint64_t budget, SliceEnd end) {
  const os::StopReason reason = run_engine(budget, end);
  settle_repeated_hits();
  return reason;
}

uint64_t Cpu::start_tail() {
  // Unicorn's `count` counts with a per-instruction hook that only code translated from now on
  // contains: the block at RIP is translated again.
  const uint64_t rip = live_rip();
  uc_ctl_remove_cache(engine_.uc(), rip, rip + 1);
  return counter_.left();
}

void Cpu::rewind_to_stopped_block(bool stopped_cleanly) {
  if (stopped_before_ != 0 && stopped_cleanly) {
    // Stopped in the block hook, before the block ran. With an instruction hook installed
    // (a trace, a Lua handler) Unicorn leaves RIP at the previous block's last instruction
    // (measured: the jump into the block, already executed), which would run it twice.
    RegisterFile{engine_.uc(), nullptr}.write(UC_X86_REG_RIP, &stopped_before_);
  }
  stopped_before_ = 0;
}

std::optional<os::StopReason> Cpu::after_fault(uint64_t rip) {
  // The fill refused a translation; RIP is at the instruction that did not retire.
  counter_.retire_partial(rip);
  if (stop_ != StopCause::kPendingFault) return os::StopReason::kKernelRequest;
  stop_ = StopCause::kNone;
  if (counter_.retired() != retired_at_fault_) repeated_faults_ = 0;
  retired_at_fault_ = counter_.retired();
  if (++repeated_faults_ > kMaxRepeatedFaults) {
    fail("the fault at " + hex(pending_fault_.address) + " (rip " + hex(rip) +
         ") is never resolved");
    return os::StopReason::kHostError;
  }
  resolve_pending_fault(rip);
  if (!error_.empty()) return os::StopReason::kHostError;
  if (stop_ == StopCause::kKernel) return os::StopReason::kKernelRequest;
  return std::nullopt;
}

os::StopReason Cpu::run_engine(uint64_t budget, SliceEnd end) {
  engine_.bind(*this);
  counter_.start_slice(budget, end);
  stop_ = StopCause::kNone;
  deferred_stop_ = StopCause::kNone;
  bool tail = false;
  while (true) {
    load_pending_state();
    const uint64_t count = tail ? start_tail() : 0;
    counter_.set_counting_tail(tail);
    running_ = true;
    const uc_err err = uc_emu_start(engine_.uc(), live_rip(), kNeverReached, 0, count);
    running_ = false;
    counter_.set_counting_tail(false);
    if (!error_.empty()) return os::StopReason::kHostError;
    rewind_to_stopped_block(err == UC_ERR_OK);
    const uint64_t rip = live_rip();
    if (err == UC_ERR_INSN_INVALID) {
      // Unicorn ends the run instead of raising #UD: the kernel delivers SIGILL.
      counter_.retire_partial(rip);
      kernel_.cpu_exception(process_, os::CpuException::kInvalidOpcode, rip);
      return os::StopReason::kKernelRequest;
    }
    if (err == UC_ERR_EXCEPTION) {
      if (const auto reason = after_fault(rip)) return *reason;
      continue;
    }
    if (err != UC_ERR_OK) {
      fail(std::string("CPU stopped with ") + uc_strerror(err) + " at rip " + hex(rip));
      return os::StopReason::kHostError;
    }
    if (stop_ == StopCause::kKernel) return os::StopReason::kKernelRequest;
    if (stop_ == StopCause::kResync) {
      counter_.retire_partial(rip);  // a no-op at a block boundary
      stop_ = StopCause::kNone;
      continue;
    }
    if (tail) {
      // The count ran out inside a block whose instructions were all counted at its start.
      counter_.retire_partial(rip);
      return os::StopReason::kBudgetExhausted;
    }
    if (stop_ == StopCause::kBudget) return os::StopReason::kBudgetExhausted;
    if (stop_ == StopCause::kExactTail) {
      stop_ = StopCause::kNone;
      tail = true;
      continue;
    }
    fail("CPU stopped without a reason at rip " + hex(rip));
    return os::StopReason::kHostError;
  }
}

void Cpu::set_processor(size_t cpu) {
  settle_repeated_hits();
  mmu_ = processors_[cpu];
}

void Cpu::code_changed(uint64_t start, uint64_t end) {
  // Code at these virtual addresses may change: forget what was translated from the frames
  // behind them (translations are keyed by physical address).
  for (uint64_t page = start & ~mmu::kPageOffsetMask; page < end; page += mmu::kPageBytes) {
    const mmu::WalkResult w =
        mmu_->probe(mmu::VirtAddr{page}, mmu::Access::kRead, mmu::Mode::kUser);
    if (!w.faulted) engine_.forget_code(w.translate(mmu::VirtAddr{page}));
  }
}

// ---------------------------------------------------------------------------------------------
// Page-table changes

void Cpu::pte_changed(uint64_t, mmu::PageSize, mmu::Pte before, mmu::Pte after) {
  // A fresh mapping, or rights added to the same frame, cannot be in the softmmu TLB in a
  // stale form; anything else (unmap, frame change, rights or A/D taken away) must leave it
  // before the guest runs another access. Only the bound context has entries there.
  const bool upgrade_only =
      !before.present() ||
      (after.present() && before.pfn() == after.pfn() &&
       (after.raw() & ~before.raw() & ~(mmu::Pte::kAccessed | mmu::Pte::kDirty)) ==
           (after.raw() ^ before.raw()));
  // A copy-on-write break gives a read-only page a private writable copy (the kernel changes
  // the frame of a present read-only page for nothing else). The faulting context's entry, if
  // any, is read-only and names a frame whose bytes equal the copy's; the write that faulted
  // refills it. So its whole TLB need not go. Another thread's context must drop the old
  // frame: the faulting thread is about to write the new one.
  const bool faulting_here = kernel_.is_current(process_);
  const bool copy_on_write = faulting_here && before.present() && after.present() &&
                             !before.writable() && after.writable() &&
                             before.user() == after.user() &&
                             before.no_execute() == after.no_execute();
  if (upgrade_only || copy_on_write || engine_.bound() != this) return;
  engine_.invalidate_tlb();
  if (!before.no_execute()) code_unmapped_ = true;
}

void Cpu::invalidate(uint64_t) {
  if (engine_.bound() != this) return;
  engine_.invalidate_tlb();
  code_unmapped_ = true;
}

// ---------------------------------------------------------------------------------------------
// Hooks

void Cpu::fail(const std::string& message) {
  if (error_.empty()) error_ = message;
  uc_emu_stop(engine_.uc());
}

void Cpu::overrun(uint64_t address, uint32_t size) {
  counter_.give_back();
  enter_block(address, size);
}

void Cpu::enter_block(uint64_t address, uint32_t size) {
  guarded([&] {
    if (deferred_stop_ != StopCause::kNone) {
      stop(deferred_stop_);
      deferred_stop_ = StopCause::kNone;
      counter_.restore_limit();
      stopped_before_ = address;
      return;
    }
    switch (counter_.enter_block(address, size)) {
      case InstructionCounter::Verdict::kRun:
        if (options_.model == ModelMode::kFull) translate_fetch(address, size);
        return;
      case InstructionCounter::Verdict::kStop:
        stop(StopCause::kBudget);  // Unicorn honours a stop requested here before the block
        stopped_before_ = address;
        return;
      case InstructionCounter::Verdict::kStopForTail:
        stop(StopCause::kExactTail);
        stopped_before_ = address;
        return;
    }
  });
}

void Cpu::fetch_block(uint64_t address, uint32_t size) {
  // block() calls this right after the counter made this block current.
  const uint64_t page = counter_.current_page();
  if (plain_accesses_ && page != InstructionCounter::kStraddles) [[likely]] {
    // The other remembered page (a loop calling a function on another page).
    if (mmu_->repeat_other(mmu::Mmu::kFetchPath, page, mmu::Access::kFetch)) return;
    const mmu::Translation t =
        mmu_->translate(mmu::VirtAddr{address}, mmu::Access::kFetch, mmu::Mode::kUser);
    if (!t.faulted) mmu_->remember(mmu::Mmu::kFetchPath, page, mmu::VirtAddr{address});
    return;
  }
  guarded([&] { translate_fetch(address, size); });
}

void Cpu::instruction(uint64_t address, uint32_t size) {
  if (!counter_.in_block() || observer_ == nullptr) return;
  guarded([&] {
    uint8_t bytes[16] = {};
    const uint32_t n = std::min<uint32_t>(size, sizeof bytes);
    read_code(address, {bytes, n});
    observer_->on_instruction(process_, address, {bytes, n}, counter_.instruction_index(address));
  });
}

bool Cpu::read_code(uint64_t va, std::span<uint8_t> out) const {
  // Through the page tables without side effects, one page at a time.
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t at = va + done;
    const mmu::WalkResult w = mmu_->probe(mmu::VirtAddr{at}, mmu::Access::kFetch, mmu::Mode::kUser);
    if (w.faulted) return false;
    const size_t chunk =
        std::min<size_t>(out.size() - done, mmu::kPageBytes - (at & mmu::kPageOffsetMask));
    mmu_->memory().read(w.translate(mmu::VirtAddr{at}), out.subspan(done, chunk));
    done += chunk;
  }
  return true;
}

}  // namespace vmlab::emulator
