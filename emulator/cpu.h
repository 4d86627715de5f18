// One process's CPU context, and the data path while it runs on the engine (engine.h):
//
//   fetch  ──► UC_HOOK_BLOCK (virtual address) ──► count instructions; full model: ITLB
//   load / store ──► softmmu TLB hit  ──► UC_HOOK_MEM_* (physical address; full model only)
//                     │                     └► SoftmmuShadow → virtual address → DTLB
//                     └► softmmu miss ──► fill(): the model translates (walk, A/D, rights);
//                                          on a fault the engine stops with RIP at the
//                                          instruction, the kernel resolves it (the
//                                          instruction runs again) or decides a signal
//   syscall ──► the kernel's dispatcher; other exceptions ──► the kernel's signals
//
// The kernel writes page tables through AddressSpace, which tells this CPU (PageTableObserver)
// about every entry it changes: anything but a fresh mapping drops the softmmu TLB before the
// guest runs another access, so the engine never uses a translation the model would refuse.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "emulator/access_check.h"
#include "emulator/instruction_counter.h"
#include "mmu/mmu.h"
#include "os/address_space.h"
#include "os/cpu_port.h"
#include "os/trap_entry.h"

struct uc_context;

namespace vmlab::os {
class Process;
class Reclaimer;
}  // namespace vmlab::os

namespace vmlab::emulator {

class CpuObserver;
class Engine;

enum class ModelMode : uint8_t { kFull, kFast };

struct CpuOptions {
  ModelMode model = ModelMode::kFull;
  bool check = false;  // a second, independent walker judges every translation (--check)
};

// What a context reaches of the rest of the machine: the kernel only through its trap entry.
struct CpuLinks {
  os::TrapEntry& kernel;
  std::span<mmu::Mmu* const> processors;  // the modelled CPUs by number; a context starts on 0
  os::Reclaimer* access_tracker;          // sees every access (LRU, OPT), or null
};

// Why the engine's last uc_emu_start ended, besides an error.
enum class StopCause : uint8_t {
  kNone,
  kBudget,        // the instruction budget ran out at a block boundary
  kExactTail,     // the budget ends inside the next block: run it instruction by instruction
  kKernel,        // a system call, signal or the scheduler wants the kernel
  kPendingFault,  // a fill faulted: the kernel resolves it at the exact RIP, then resume
  kResync         // translations were dropped: leave chained blocks, then resume
};

class Cpu final : public os::CpuPort, public os::PageTableObserver {
 public:
  Cpu(const CpuLinks& links, os::Process& process, Engine& engine, const CpuOptions& options,
      CpuObserver* observer);
  ~Cpu() override;
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;

  // A new image: the first run starts in user mode with `regs`.
  void start_user(const os::UserRegs& regs);
  // A forked child: the parent's complete user state (the parent is inside `syscall`).
  void copy_context_from(Cpu& parent);
  uc_context* context() const { return context_; }

  // os::CpuPort
  os::UserRegs regs() override;
  void set_regs(const os::UserRegs& regs) override;
  uint64_t reg(os::Reg r) override;
  void read_regs(std::span<const os::Reg> regs, std::span<uint64_t> out) override;
  void set_reg(os::Reg r, uint64_t value) override;
  os::FxsaveArea fpu_state() override;
  void set_fpu_state(const os::FxsaveArea& area) override;
  void request_stop() override;
  os::StopReason run(uint64_t budget, SliceEnd end) override;
  std::string error() const override { return error_; }
  uint64_t instructions() const override { return counter_.retired(); }
  void code_changed(uint64_t start, uint64_t end) override;
  void set_processor(size_t cpu) override;

  // os::PageTableObserver
  void pte_changed(uint64_t va, mmu::PageSize size, mmu::Pte before, mmu::Pte after) override;
  void invalidate(uint64_t va) override;

  // ---- Called by the engine's hooks while this context is bound ----
  bool fill(uint64_t va, int type, void* entry);
  // A block is about to run. --model fast: the count only, a leaf of a few instructions in the
  // common case (a cached count within the budget).
  void count_block(uint64_t address, uint32_t size) { counted_fast(address, size); }
  // --model full: the count and the block's instruction fetch, a leaf when the fetch repeats
  // the last ITLB hit (mmu.h, "Repeated hits").
  void block(uint64_t address, uint32_t size) {
    if (!counted_fast(address, size)) [[unlikely]]
      return;
    // A repeated hit needs no frame: everything else is out of line. (Only a context with plain
    // accesses remembers pages, and every context forgets them when it stops. A block that
    // straddles two pages has no current page, which no remembered page matches.)
    if (mmu_->repeat_fetch(counter_.current_page())) [[likely]]
      return;
    fetch_block(address, size);
  }
  void instruction(uint64_t address, uint32_t size);
  void memory_access(mmu::Access access, uint64_t pa, int size) {
    // The full model's hot path: an access to the page of the last L1 DTLB hit is counted
    // without a frame (mmu.h, "Repeated hits"); everything else is out of line.
    if ((pa & mmu::kPageOffsetMask) + static_cast<uint64_t>(size) <= mmu::kPageBytes &&
        mmu_->repeat(mmu::Mmu::kDataPath, pa & ~mmu::kPageOffsetMask, access)) [[likely]]
      return;
    translate_data(access, pa, size);
  }
  void interrupt(uint32_t intno);
  void syscall();
  void port_io();
  // The engine's softmmu TLB (and its shadow) was flushed: the data page remembered by
  // physical address may now belong to another virtual page.
  void softmmu_flushed() { mmu_->forget(mmu::Mmu::kDataPath); }

 private:
  static constexpr uint64_t kSyscallLength = 2;  // 0f 05
  // RIP as the kernel sees it: inside `syscall`, after the instruction.
  uint64_t user_rip(uint64_t engine_rip) const {
    return in_syscall_ ? engine_rip + kSyscallLength : engine_rip;
  }

  // Unicorn calls the hooks from C: nothing may throw out of them, so each one catches, records
  // the error and stops the CPU.
  template <typename Body>
  void guarded(Body&& body) {
    try {
      body();
    } catch (const std::exception& e) {
      fail(e.what());
    }
  }
  os::StopReason run_engine(uint64_t budget, SliceEnd end);
  // The budget ends inside the block at RIP: its instructions are counted one by one. Returns
  // the count for uc_emu_start.
  uint64_t start_tail();
  void rewind_to_stopped_block(bool stopped_cleanly);
  // The engine stopped on a fault: resolves it; why the run ends, or nothing to go on.
  std::optional<os::StopReason> after_fault(uint64_t rip);
  // Both block hooks' count: true when the fast path counted the block, else the slow path
  // has run (tail calls, so that the hooks stay frameless leaves).
  bool counted_fast(uint64_t address, uint32_t size) {
    switch (counter_.enter_cached_block(address, size)) {
      case InstructionCounter::Entry::kCounted:
        return true;
      case InstructionCounter::Entry::kSlow:
        enter_block(address, size);
        return false;
      case InstructionCounter::Entry::kOverrun:
        overrun(address, size);
        return false;
    }
    return false;
  }
  [[gnu::noinline]] void enter_block(uint64_t address, uint32_t size);
  // The block did not fit the room it was charged to: undo the charge, then enter_block.
  [[gnu::noinline]] void overrun(uint64_t address, uint32_t size);
  bool fill_entry(uint64_t va, mmu::Access access, void* entry);
  bool grant(uint64_t va, mmu::Access access, const mmu::WalkResult& walk, void* entry);
  // The full model's block fetch and data access when they are not repeated hits.
  [[gnu::noinline]] void fetch_block(uint64_t address, uint32_t size);
  [[gnu::noinline]] void translate_data(mmu::Access access, uint64_t pa, int size);
  void memory_access_slow(mmu::Access access, uint64_t pa, int size);
  void translate_access(uint64_t va, mmu::Access access, int size);
  void translate_fetch(uint64_t address, uint32_t size);
  void resolve_pending_fault(uint64_t rip);
  // RDTSC/RDTSCP at `rip` trapped (CR4.TSD): loads the modelled clock and steps over it.
  // False when the #GP came from another instruction.
  bool emulate_time_stamp(uint64_t rip);
  void stop(StopCause cause);
  // Applies a pending softmmu flush. From inside a run, the engine must also leave the chain of
  // translated blocks it is in (chained blocks jump to each other without the TLB), so it
  // stops and resumes at once.
  void resync_translations();
  void stop_before_next_block(StopCause cause);
  void fail(const std::string& message);
  uint64_t live_rip();
  void load_pending_state();
  void run_exact_tail();
  // Reads `out.size()` bytes of code at `va` through the page tables (no side effects).
  bool read_code(uint64_t va, std::span<uint8_t> out) const;

  // Folds the repeated hits (mmu.h) into the MMU's counters and forgets the pages: before the
  // kernel or anyone else reads them, and when this context changes MMU or stops. Data pages
  // are remembered by physical address (the memory hook's), valid while the shadow names the
  // same virtual page for it.
  void settle_repeated_hits() {
    mmu_->settle();
    mmu_->forget(mmu::Mmu::kDataPath);
    mmu_->forget(mmu::Mmu::kFetchPath);
  }

  os::TrapEntry& kernel_;
  std::span<mmu::Mmu* const> processors_;
  os::Reclaimer* access_tracker_;  // the full model with a policy that wants every access
  os::Process& process_;
  mmu::Mmu* mmu_;  // the modelled CPU this context runs on now (set_processor)
  Engine& engine_;
  CpuOptions options_;
  CpuObserver* observer_;
  uc_context* context_ = nullptr;
  InstructionCounter counter_;
  AccessCheck check_;
  std::weak_ptr<os::AddressSpace> space_;  // the space whose entry changes this context hears

  bool running_ = false;
  bool in_syscall_ = false;
  bool plain_accesses_ = false;   // full model, no observer, no tracking, no --check
  bool regs_pending_ = false;     // pending_regs_ replace the live registers before the next run
  bool exception_taken_ = false;  // reset QEMU's exception state before running again
  os::UserRegs pending_regs_;
  StopCause stop_ = StopCause::kNone;
  struct PendingFault {
    uint64_t address = 0;
    uint32_t error_code = 0;
    bool general_protection = false;
  } pending_fault_;
  int repeated_faults_ = 0;  // faults in a row with no instruction retired: a kernel bug
  uint64_t retired_at_fault_ = ~uint64_t{0};
  bool code_unmapped_ = false;  // an executable mapping was taken away: leave chained blocks
  int read_halves_to_skip_ = 0;
  uint64_t stopped_before_ = 0;  // the block the block hook stopped the engine in front of
  StopCause deferred_stop_ =
      StopCause::kNone;  // to request from the next block hook  // a page-straddling load is
                         // reported again as its two halves
  std::string error_;
};

}  // namespace vmlab::emulator
