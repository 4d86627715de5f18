#include "emulator/cpu.h"

#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "emulator/cpu_observer.h"
#include "emulator/instruction_length.h"
#include "emulator/unicorn_quirks.h"
#include "mmu/format.h"
#include "os/kernel.h"
#include "os/process.h"

namespace vmlab::emulator {

using mmu::hex;

namespace {

using mmu::kPageBytes;
constexpr uint64_t kSyscallLength = 2;  // 0f 05
using mmu::kPageShift;

// uc_emu_start needs an end address; this one is non-canonical, so the guest never reaches it.
constexpr uint64_t kNeverReached = uint64_t{1} << 63;
constexpr unsigned kZoneShift = 30;  // 1 GiB host reservations
constexpr uint64_t kZoneBytes = uint64_t{1} << kZoneShift;
// Beyond this many pending INVLPGs one CR3 reload is cheaper.
constexpr size_t kMaxBatchedInvalidations = 64;

constexpr uint64_t kCr0ProtectionEnable = 1u << 0;
constexpr uint64_t kCr0MonitorCoprocessor = 1u << 1;
constexpr uint64_t kCr0NumericError = 1u << 5;
constexpr uint64_t kCr0WriteProtect = 1u << 16;
constexpr uint64_t kCr0Paging = 1u << 31;
constexpr uint64_t kCr4Pae = 1u << 5;
constexpr uint64_t kCr4Osfxsr = 1u << 9;
constexpr uint64_t kCr4Osxmmexcpt = 1u << 10;
constexpr uint32_t kEferMsr = 0xC000'0080;
constexpr uint64_t kEferLongMode = (1u << 8) | (1u << 10);
constexpr uint64_t kUserRflags = 0x202;  // IF set, reserved bit 1

// x86 exception vectors (SDM Vol. 3 Table 6-1).
constexpr uint32_t kVectorDivide = 0, kVectorDebug = 1, kVectorBreakpoint = 3, kVectorOverflow = 4,
                   kVectorBound = 5, kVectorInvalidOpcode = 6, kVectorDoubleFault = 8,
                   kVectorStackSegment = 12, kVectorGeneralProtection = 13, kVectorPageFault = 14,
                   kVectorFpu = 16, kVectorAlignment = 17, kVectorSimd = 19;

void check(uc_err err, const char* what) {
  if (err != UC_ERR_OK) throw std::runtime_error(std::string(what) + ": " + uc_strerror(err));
}

int uc_register(os::Reg r) {
  switch (r) {
    case os::Reg::kRax:
      return UC_X86_REG_RAX;
    case os::Reg::kRdi:
      return UC_X86_REG_RDI;
    case os::Reg::kRsi:
      return UC_X86_REG_RSI;
    case os::Reg::kRdx:
      return UC_X86_REG_RDX;
    case os::Reg::kR10:
      return UC_X86_REG_R10;
    case os::Reg::kR8:
      return UC_X86_REG_R8;
    case os::Reg::kR9:
      return UC_X86_REG_R9;
    case os::Reg::kRip:
      return UC_X86_REG_RIP;
    case os::Reg::kRsp:
      return UC_X86_REG_RSP;
    case os::Reg::kRcx:
      return UC_X86_REG_RCX;
    case os::Reg::kR11:
      return UC_X86_REG_R11;
    case os::Reg::kFsBase:
      return UC_X86_REG_FS_BASE;
    case os::Reg::kGsBase:
      return UC_X86_REG_GS_BASE;
  }
  return UC_X86_REG_INVALID;
}

// UserRegs field order with the matching Unicorn register ids.
constexpr int kUserRegIds[] = {
    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10,    UC_X86_REG_R11,     UC_X86_REG_R12,
    UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,    UC_X86_REG_RDI,     UC_X86_REG_RSI,
    UC_X86_REG_RBP, UC_X86_REG_RBX, UC_X86_REG_RDX,    UC_X86_REG_RAX,     UC_X86_REG_RCX,
    UC_X86_REG_RSP, UC_X86_REG_RIP, UC_X86_REG_EFLAGS, UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE};
constexpr int kUserRegCount = sizeof(kUserRegIds) / sizeof(kUserRegIds[0]);
static_assert(sizeof(os::UserRegs) == kUserRegCount * sizeof(uint64_t));

os::CpuException exception_for(uint32_t intno) {
  switch (intno) {
    case kVectorDivide:
      return os::CpuException::kDivide;
    case kVectorDebug:
    case kVectorBreakpoint:
      return os::CpuException::kBreakpoint;
    case kVectorOverflow:
    case kVectorBound:
      return os::CpuException::kBoundOrOverflow;
    case kVectorInvalidOpcode:
      return os::CpuException::kInvalidOpcode;
    case kVectorStackSegment:
      return os::CpuException::kStackSegment;
    case kVectorGeneralProtection:
      return os::CpuException::kGeneralProtection;
    case kVectorFpu:
    case kVectorSimd:
      return os::CpuException::kFloatingPoint;
    case kVectorAlignment:
      return os::CpuException::kAlignment;
    default:
      return os::CpuException::kGeneralProtection;  // e.g. `int N`: no gate for CPL 3
  }
}

}  // namespace

Cpu::Cpu(os::Kernel& kernel, os::Process& process, mmu::Mmu& mmu, const KernelImage& image,
         const CpuOptions& options, CpuObserver* observer)
    : kernel_(kernel),
      process_(process),
      mmu_(mmu),
      image_(image),
      options_(options),
      observer_(observer) {
  context_layout();  // proves the Unicorn workarounds before anything depends on them
  check(uc_open(UC_ARCH_X86, UC_MODE_64, &uc_), "uc_open");
  check(uc_context_alloc(uc_, &user_context_), "uc_context_alloc");
  check(uc_context_alloc(uc_, &ring0_context_), "uc_context_alloc");
  check(uc_context_alloc(uc_, &scratch_), "uc_context_alloc");

  // Physical RAM at its physical address: QEMU's walker reads the page tables there.
  auto& ram = mmu_.memory();
  check(uc_mem_map_ptr(uc_, ram.base().value, ram.size(), UC_PROT_ALL, ram.host_base()),
        "mapping the physical window");

  // Paging on: CR3, PAE, long mode, CR0.PG|WP|PE, and NX through the context workaround.
  uint64_t v = process_.space().root().value;
  check(uc_reg_write(uc_, UC_X86_REG_CR3, &v), "CR3");
  v = kCr4Pae | kCr4Osfxsr | kCr4Osxmmexcpt;
  check(uc_reg_write(uc_, UC_X86_REG_CR4, &v), "CR4");
  uc_x86_msr efer{kEferMsr, kEferLongMode};
  check(uc_reg_write(uc_, UC_X86_REG_MSR, &efer), "EFER");
  v = kCr0Paging | kCr0WriteProtect | kCr0NumericError | kCr0MonitorCoprocessor |
      kCr0ProtectionEnable;
  check(uc_reg_write(uc_, UC_X86_REG_CR0, &v), "CR0");
  enable_no_execute(uc_, scratch_);
  uc_x86_mmr gdtr{0, image_.gdt(), image_.gdt_limit(), 0};
  check(uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr), "GDTR");
  uint64_t selector = kKernelCs;
  uc_reg_write(uc_, UC_X86_REG_CS, &selector);
  selector = kKernelDs;
  uc_reg_write(uc_, UC_X86_REG_SS, &selector);
  uc_reg_write(uc_, UC_X86_REG_DS, &selector);
  check(uc_context_save(uc_, ring0_context_), "saving the ring-0 context");

  uc_hook hook;
  check(uc_hook_add(uc_, &hook, UC_HOOK_BLOCK, reinterpret_cast<void*>(&Cpu::on_block), this, 1, 0),
        "block hook");
  if (options_.model == ModelMode::kFull) {
    check(uc_hook_add(uc_, &hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                      reinterpret_cast<void*>(&Cpu::on_memory), this, 1, 0),
          "memory hook");
  }
  if (observer_ != nullptr && observer_->wants_instructions()) {
    check(uc_hook_add(uc_, &hook, UC_HOOK_CODE, reinterpret_cast<void*>(&Cpu::on_code), this, 1, 0),
          "instruction hook");
  }
  check(uc_hook_add(uc_, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&Cpu::on_interrupt), this, 1,
                    0),
        "interrupt hook");
  check(uc_hook_add(uc_, &hook, UC_HOOK_INSN, reinterpret_cast<void*>(&Cpu::on_syscall), this, 1, 0,
                    UC_X86_INS_SYSCALL),
        "syscall hook");
  check(uc_hook_add(uc_, &hook, UC_HOOK_INSN, reinterpret_cast<void*>(&Cpu::on_port_in), this, 1, 0,
                    UC_X86_INS_IN),
        "in hook");
  check(uc_hook_add(uc_, &hook, UC_HOOK_INSN, reinterpret_cast<void*>(&Cpu::on_port_out), this, 1,
                    0, UC_X86_INS_OUT),
        "out hook");
  check(uc_hook_add(uc_, &hook, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&Cpu::on_unmapped),
                    this, 1, 0),
        "unmapped hook");
  process_.space().set_observer(this);
  track_accesses_ = options_.model == ModelMode::kFull && kernel_.reclaim().wants_accesses();
}

Cpu::~Cpu() {
  if (process_.has_space() && process_.space().observer() == this)
    process_.space().set_observer(nullptr);
  uc_context_free(user_context_);
  uc_context_free(ring0_context_);
  uc_context_free(scratch_);
  uc_close(uc_);
  for (auto& [index, host] : zones_)
    munmap(host, kZoneBytes);
}

// ---------------------------------------------------------------------------------------------
// Host aliasing

uint8_t* Cpu::zone(uint64_t va) {
  const uint64_t index = va >> kZoneShift;
  auto it = zones_.find(index);
  if (it != zones_.end()) return it->second;
  void* host =
      mmap(nullptr, kZoneBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (host == MAP_FAILED) throw std::runtime_error("host address space exhausted (zone reserve)");
  check(uc_mem_map_ptr(uc_, index << kZoneShift, kZoneBytes, UC_PROT_ALL, host),
        "registering a user zone");
  zones_.emplace(index, static_cast<uint8_t*>(host));
  return static_cast<uint8_t*>(host);
}

void Cpu::alias(uint64_t va, mmu::Pfn frame, uint64_t pages) {
  auto& ram = mmu_.memory();
  const uint64_t vpn = va >> kPageShift;
  aliases_.reserve(vpn, frame.value);  // the pages after the first extend its run
  uint8_t* host = zone(va) + (va & (kZoneBytes - 1));
  void* p = mmap(host, pages * kPageBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                 ram.memfd(), static_cast<off_t>(ram.offset_of(frame.address())));
  if (p == MAP_FAILED)
    throw HostLimitError("host mmap failed aliasing a guest page: " +
                         std::string(std::strerror(errno)));
  for (uint64_t i = 0; i < pages; ++i)
    aliases_.record(vpn + i, frame.value + i);
}

void Cpu::unalias(uint64_t va) {
  uint8_t* host = zone(va) + (va & (kZoneBytes - 1));
  mmap(host, kPageBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  aliases_.erase(va >> kPageShift);
}

void Cpu::pte_changed(uint64_t va, mmu::PageSize size, mmu::Pte before, mmu::Pte after) {
  const uint64_t pages = mmu::page_bytes(size) >> kPageShift;
  if (after.present()) {
    // The kernel is in the middle of a page-table update: a host limit must not unwind it.
    // This engine stops with the error instead (a page the CPU cannot see is never run).
    if (!before.present() || before.pfn() != after.pfn()) {
      try {
        alias(va, after.pfn(), pages);
      } catch (const HostLimitError& e) {
        fail(e.what());
      }
    }
  } else if (before.present()) {
    for (uint64_t i = 0; i < pages; ++i)
      unalias(va + i * kPageBytes);
  }
  // QEMU caches translations like a TLB; anything but a fresh mapping or an upgrade of the
  // same frame must be invalidated before this CPU runs another instruction.
  const bool upgrade_only =
      !before.present() ||
      (after.present() && before.pfn() == after.pfn() &&
       (after.raw() & ~before.raw() & ~(mmu::Pte::kAccessed | mmu::Pte::kDirty)) ==
           (after.raw() ^ before.raw()));
  if (!upgrade_only) {
    pending_invalidations_.push_back(va);
    if (running_) {
      stop_for_flush_ = true;
      uc_emu_stop(uc_);
    }
  }
}

void Cpu::invalidate(uint64_t va) {
  pending_invalidations_.push_back(va);
  if (running_) {
    stop_for_flush_ = true;
    uc_emu_stop(uc_);
  }
}

void Cpu::alias_all() {
  // Walk the page tables in address order and alias runs of consecutive pages that sit on
  // consecutive frames with one host mmap each.
  uint64_t run_va = 0, run_pfn = 0, run_pages = 0;
  auto flush = [&] {
    if (run_pages != 0) alias(run_va, mmu::Pfn{run_pfn}, run_pages);
    run_pages = 0;
  };
  process_.space().for_each_leaf([&](uint64_t va, mmu::Pte e) {
    if (!e.present()) return;
    if (e.page_size()) {  // a 2 MiB page: 512 consecutive frames
      flush();
      alias(va, e.pfn(), mmu::Pte::kEntriesPerTable);
      return;
    }
    const bool same_zone = (va >> kZoneShift) == (run_va >> kZoneShift);
    if (run_pages != 0 && same_zone && va == run_va + run_pages * kPageBytes &&
        e.pfn().value == run_pfn + run_pages) {
      ++run_pages;
      return;
    }
    flush();
    run_va = va;
    run_pfn = e.pfn().value;
    run_pages = 1;
  });
  flush();
}

void Cpu::code_changed(uint64_t start, uint64_t end) {
  uc_ctl_remove_cache(uc_, start, end);
}

// ---------------------------------------------------------------------------------------------
// Ring-0 stubs: leave the user context, run a few kernel instructions, come back.

void Cpu::run_ring0(uint64_t start, uint64_t until, uint64_t rsi, uint64_t rcx) {
  check(uc_context_save(uc_, user_context_), "saving the user context");
  check(uc_context_restore(uc_, ring0_context_), "entering ring 0");
  uc_reg_write(uc_, UC_X86_REG_RSI, &rsi);
  uc_reg_write(uc_, UC_X86_REG_RCX, &rcx);
  in_ring0_ = true;
  const uc_err err = uc_emu_start(uc_, start, until, 0, 0);
  in_ring0_ = false;
  check(uc_context_restore(uc_, user_context_), "returning to ring 3");
  check(err, "running a ring-0 stub");
}

void Cpu::flush_cpu_tlb() {
  if (pending_invalidations_.empty() && !flush_everything_) return;
  if (flush_everything_ || pending_invalidations_.size() > kMaxBatchedInvalidations) {
    run_ring0(image_.flush_stub(), image_.flush_stub_end(), 0, 0);
  } else {
    auto& ram = mmu_.memory();
    for (size_t i = 0; i < pending_invalidations_.size(); ++i)
      ram.write_u64(mmu::PhysAddr{image_.invlpg_list() + i * 8}, pending_invalidations_[i]);
    run_ring0(image_.invlpg_stub(), image_.invlpg_stub_end(), image_.invlpg_list(),
              pending_invalidations_.size());
  }
  pending_invalidations_.clear();
  flush_everything_ = false;
}

// ---------------------------------------------------------------------------------------------
// Registers

void Cpu::start_user(const os::UserRegs& regs) {
  start_regs_ = regs;
  entering_user_ = true;
}

void Cpu::enter_user_mode() {
  // Build the iretq frame on the ring-0 stack; general registers are loaded directly, and the
  // stub's iretq switches to CPL 3 at the entry point.
  check(uc_context_restore(uc_, ring0_context_), "entering ring 0");
  const uint64_t frame[5] = {start_regs_.rip, kUserCs, kUserRflags, start_regs_.rsp, kUserDs};
  const uint64_t frame_address = image_.stack_top() - sizeof frame;
  mmu_.memory().write(mmu::PhysAddr{frame_address},
                      {reinterpret_cast<const uint8_t*>(frame), sizeof frame});
  os::UserRegs r = start_regs_;
  r.rsp = frame_address;
  r.rip = image_.enter_user_stub();
  r.eflags = 0x2;
  write_regs(r);
}

void Cpu::write_regs(const os::UserRegs& regs) {
  os::UserRegs r = regs;
  void* ptrs[kUserRegCount];
  for (int i = 0; i < kUserRegCount; ++i)
    ptrs[i] = reinterpret_cast<uint64_t*>(&r) + i;
  check(uc_reg_write_batch(uc_, const_cast<int*>(kUserRegIds), ptrs, kUserRegCount),
        "loading registers");
}

void Cpu::copy_context_from(Cpu& parent) {
  check(uc_context_save(parent.uc_, user_context_), "saving the parent context");
  check(uc_context_restore(uc_, user_context_), "loading the child context");
  // The saved context carries the parent's CR3; this engine walks its own tables.
  uint64_t cr3 = process_.space().root().value;
  check(uc_reg_write(uc_, UC_X86_REG_CR3, &cr3), "CR3");
  if (parent.in_syscall_) {
    // The parent is inside `syscall`: the child resumes after it, as Linux's child returns
    // from fork with RCX = return address and R11 = RFLAGS.
    uint64_t rip = 0, rflags = 0;
    uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
    uc_reg_read(uc_, UC_X86_REG_EFLAGS, &rflags);
    rip += kSyscallLength;
    uc_reg_write(uc_, UC_X86_REG_RIP, &rip);
    uc_reg_write(uc_, UC_X86_REG_RCX, &rip);
    uc_reg_write(uc_, UC_X86_REG_R11, &rflags);
  }
}

os::UserRegs Cpu::regs() {
  if (entering_user_) return start_regs_;
  if (regs_pending_) return pending_regs_;
  os::UserRegs r;
  void* ptrs[kUserRegCount];
  for (int i = 0; i < kUserRegCount; ++i)
    ptrs[i] = reinterpret_cast<uint64_t*>(&r) + i;
  uc_reg_read_batch(uc_, const_cast<int*>(kUserRegIds), ptrs, kUserRegCount);
  // Inside `syscall` the user-visible state is the one after it.
  if (in_syscall_) r.rip += kSyscallLength;
  return r;
}

void Cpu::set_regs(const os::UserRegs& regs) {
  if (entering_user_) {
    start_regs_ = regs;
    return;
  }
  if (in_syscall_) {
    // Unicorn adds the syscall length to RIP after the hook returns: load the registers once
    // the CPU has stopped.
    pending_regs_ = regs;
    regs_pending_ = true;
    request_stop();
    return;
  }
  write_regs(regs);
}

uint64_t Cpu::reg(os::Reg r) {
  if (regs_pending_ || entering_user_) {
    const os::UserRegs& p = entering_user_ ? start_regs_ : pending_regs_;
    switch (r) {
      case os::Reg::kRax:
        return p.rax;
      case os::Reg::kRdi:
        return p.rdi;
      case os::Reg::kRsi:
        return p.rsi;
      case os::Reg::kRdx:
        return p.rdx;
      case os::Reg::kR10:
        return p.r10;
      case os::Reg::kR8:
        return p.r8;
      case os::Reg::kR9:
        return p.r9;
      case os::Reg::kRip:
        return p.rip;
      case os::Reg::kRsp:
        return p.rsp;
      case os::Reg::kRcx:
        return p.rcx;
      case os::Reg::kR11:
        return p.r11;
      case os::Reg::kFsBase:
        return p.fs_base;
      case os::Reg::kGsBase:
        return p.gs_base;
    }
  }
  uint64_t v = 0;
  uc_reg_read(uc_, uc_register(r), &v);
  if (r == os::Reg::kRip && in_syscall_) v += kSyscallLength;
  return v;
}

void Cpu::set_reg(os::Reg r, uint64_t value) {
  if (regs_pending_ || entering_user_) {
    os::UserRegs& p = entering_user_ ? start_regs_ : pending_regs_;
    switch (r) {
      case os::Reg::kRax:
        p.rax = value;
        return;
      case os::Reg::kRdi:
        p.rdi = value;
        return;
      case os::Reg::kRsi:
        p.rsi = value;
        return;
      case os::Reg::kRdx:
        p.rdx = value;
        return;
      case os::Reg::kR10:
        p.r10 = value;
        return;
      case os::Reg::kR8:
        p.r8 = value;
        return;
      case os::Reg::kR9:
        p.r9 = value;
        return;
      case os::Reg::kRip:
        p.rip = value;
        return;
      case os::Reg::kRsp:
        p.rsp = value;
        return;
      case os::Reg::kRcx:
        p.rcx = value;
        return;
      case os::Reg::kR11:
        p.r11 = value;
        return;
      case os::Reg::kFsBase:
        p.fs_base = value;
        return;
      case os::Reg::kGsBase:
        p.gs_base = value;
        return;
    }
  }
  if (r == os::Reg::kRip && in_syscall_) {
    os::UserRegs all = regs();
    all.rip = value;
    set_regs(all);
    return;
  }
  uc_reg_write(uc_, uc_register(r), &value);
}

os::FxsaveArea Cpu::fpu_state() {
  // FXSAVE layout (SDM Vol. 1 §10.5.1): FCW, FSW, abridged FTW, ..., MXCSR at 24, ST0-7 at 32,
  // XMM0-15 at 160.
  os::FxsaveArea area{};
  uint64_t fcw = 0, fsw = 0, ftw = 0, mxcsr = 0;
  uc_reg_read(uc_, UC_X86_REG_FPCW, &fcw);
  uc_reg_read(uc_, UC_X86_REG_FPSW, &fsw);
  uc_reg_read(uc_, UC_X86_REG_FPTAG, &ftw);
  uc_reg_read(uc_, UC_X86_REG_MXCSR, &mxcsr);
  const uint16_t cw = static_cast<uint16_t>(fcw), sw = static_cast<uint16_t>(fsw);
  std::memcpy(&area[0], &cw, 2);
  std::memcpy(&area[2], &sw, 2);
  // Abridged tag word: one bit per register, 1 = valid (full tag 00/01/10), 0 = empty (11).
  uint8_t abridged = 0;
  for (int i = 0; i < 8; ++i)
    if (((ftw >> (2 * i)) & 3u) != 3u) abridged |= static_cast<uint8_t>(1u << i);
  area[4] = abridged;
  const uint32_t mx = static_cast<uint32_t>(mxcsr), mx_mask = 0xffff;
  std::memcpy(&area[24], &mx, 4);
  std::memcpy(&area[28], &mx_mask, 4);
  for (int i = 0; i < 8; ++i) {
    uint8_t st[10] = {};
    uc_reg_read(uc_, UC_X86_REG_ST0 + i, st);
    std::memcpy(&area[32 + 16 * i], st, sizeof st);
  }
  for (int i = 0; i < 16; ++i) {
    uint8_t xmm[16] = {};
    uc_reg_read(uc_, UC_X86_REG_XMM0 + i, xmm);
    std::memcpy(&area[160 + 16 * i], xmm, sizeof xmm);
  }
  return area;
}

void Cpu::set_fpu_state(const os::FxsaveArea& area) {
  uint16_t cw, sw;
  std::memcpy(&cw, &area[0], 2);
  std::memcpy(&sw, &area[2], 2);
  uint64_t fcw = cw, fsw = sw, ftw = 0, mxcsr = 0;
  for (int i = 0; i < 8; ++i)
    if (((area[4] >> i) & 1u) == 0) ftw |= uint64_t{3} << (2 * i);
  uint32_t mx;
  std::memcpy(&mx, &area[24], 4);
  mxcsr = mx;
  uc_reg_write(uc_, UC_X86_REG_FPCW, &fcw);
  uc_reg_write(uc_, UC_X86_REG_FPSW, &fsw);
  uc_reg_write(uc_, UC_X86_REG_FPTAG, &ftw);
  uc_reg_write(uc_, UC_X86_REG_MXCSR, &mxcsr);
  for (int i = 0; i < 8; ++i)
    uc_reg_write(uc_, UC_X86_REG_ST0 + i, &area[32 + 16 * i]);
  for (int i = 0; i < 16; ++i)
    uc_reg_write(uc_, UC_X86_REG_XMM0 + i, &area[160 + 16 * i]);
}

// ---------------------------------------------------------------------------------------------
// Running

void Cpu::request_stop() {
  stop_for_kernel_ = true;
  if (running_) uc_emu_stop(uc_);
}

os::StopReason Cpu::run(uint64_t budget, SliceEnd end) {
  stop_for_kernel_ = false;
  budget_end_ = retired_ + budget;
  slice_end_ = end;
  if (entering_user_) enter_user_mode();
  while (true) {
    flush_cpu_tlb();
    if (regs_pending_) {
      regs_pending_ = false;
      write_regs(pending_regs_);
    }
    stop_for_flush_ = false;
    budget_stop_ = false;
    tail_needed_ = false;
    // A run that ended inside the exception machinery (a stop requested while QEMU raised a
    // fault) leaves old_exception set; start every run with a clean slate.
    clear_exception_state(uc_, scratch_);
    uint64_t rip = 0;
    uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
    running_ = true;
    const uc_err err = uc_emu_start(uc_, rip, kNeverReached, 0, 0);
    running_ = false;
    if (!error_.empty()) return os::StopReason::kHostError;
    if (err == UC_ERR_INSN_INVALID) {
      // Unicorn ends the run instead of raising #UD: the kernel delivers SIGILL.
      uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
      retire_partial_block(rip);
      kernel_.cpu_exception(process_, os::CpuException::kInvalidOpcode, rip);
      stop_for_kernel_ = true;
    } else if (unmapped_stop_) {
      // A fault reported by the unmapped hook: resume at the instruction unless the kernel
      // has something to do (a signal).
      unmapped_stop_ = false;
      stop_for_flush_ = true;
    } else if (err != UC_ERR_OK) {
      uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
      fail(std::string("CPU stopped with ") + uc_strerror(err) + " at rip " + hex(rip));
      return os::StopReason::kHostError;
    }
    if (tail_needed_ && !stop_for_kernel_ && !stop_for_flush_) run_exact_tail();
    if (!error_.empty()) return os::StopReason::kHostError;
    if (stop_for_kernel_) {
      flush_cpu_tlb();
      return os::StopReason::kKernelRequest;
    }
    if (budget_stop_ || retired_ >= budget_end_) return os::StopReason::kBudgetExhausted;
    if (!stop_for_flush_) {
      uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
      fail("CPU stopped without a reason at rip " + hex(rip));
      return os::StopReason::kHostError;
    }
  }
}

void Cpu::run_exact_tail() {
  // Execute the last, partial block instruction by instruction: Unicorn's `count` argument
  // counts with a per-instruction hook, which only code translated from now on contains. So
  // the block at RIP is dropped and translated again. (Flushing all translated code instead
  // costs seconds: QEMU then touches every region of its 1 GiB, huge-page-advised buffer.)
  uint64_t rip = 0;
  uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
  uc_ctl_remove_cache(uc_, rip, rip + 1);
  exact_tail_ = true;
  running_ = true;
  const uc_err err = uc_emu_start(uc_, rip, kNeverReached, 0, budget_end_ - retired_);
  running_ = false;
  exact_tail_ = false;
  if (err != UC_ERR_OK) {
    fail(std::string("CPU stopped with ") + uc_strerror(err) + " in the last block");
    return;
  }
  if (stop_for_kernel_ || stop_for_flush_) return;
  // The count ran out inside a block whose instructions were all counted at its start.
  uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
  retire_partial_block(rip);
  budget_stop_ = true;
}

// ---------------------------------------------------------------------------------------------
// Hooks. Unicorn calls these from C: nothing may throw out of them, so each one catches, records
// the error and stops the CPU.

template <typename Body>
void Cpu::guarded(void* self, Body&& body) {
  auto* cpu = static_cast<Cpu*>(self);
  try {
    body(*cpu);
  } catch (const std::exception& e) {
    cpu->fail(e.what());
  }
}

void Cpu::on_block(uc_struct*, uint64_t address, uint32_t size, void* self) {
  guarded(self, [&](Cpu& cpu) { cpu.block(address, size); });
}

void Cpu::on_code(uc_struct*, uint64_t address, uint32_t size, void* self) {
  guarded(self, [&](Cpu& cpu) { cpu.instruction(address, size); });
}

bool Cpu::on_memory(uc_struct*, int type, uint64_t address, int size, int64_t, void* self) {
  guarded(self, [&](Cpu& cpu) { cpu.memory_access(type, address, size); });
  return true;
}

void Cpu::on_interrupt(uc_struct*, uint32_t intno, void* self) {
  guarded(self, [&](Cpu& cpu) { cpu.interrupt(intno); });
}

void Cpu::on_syscall(uc_struct*, void* self) {
  guarded(self, [](Cpu& cpu) { cpu.syscall(); });
}

uint32_t Cpu::on_port_in(uc_struct*, uint32_t, int, void* self) {
  // Unicorn does not enforce IOPL at CPL 3; Linux would deliver SIGSEGV for the #GP.
  guarded(self, [](Cpu& cpu) { cpu.port_io(); });
  return 0;
}

void Cpu::on_port_out(uc_struct*, uint32_t, int, uint32_t, void* self) {
  guarded(self, [](Cpu& cpu) { cpu.port_io(); });
}

bool Cpu::on_unmapped(uc_struct*, int type, uint64_t address, int size, int64_t, void* self) {
  bool retry = false;
  guarded(self, [&](Cpu& cpu) { retry = cpu.unmapped(type, address, size); });
  return retry;
}

void Cpu::fail(const std::string& message) {
  if (error_.empty()) error_ = message;
  uc_emu_stop(uc_);
}

void Cpu::disagree(const std::string& message) {
  fail("--check: the model and the CPU disagree: " + message);
}

uint32_t Cpu::block_instructions_slow(uint64_t key, uint64_t address, uint32_t size) {
  auto it = block_sizes_.find(key);
  uint32_t n;
  if (it != block_sizes_.end()) {
    n = it->second;
  } else {
    std::vector<uint8_t> code(size);
    if (uc_mem_read(uc_, address, code.data(), code.size()) != UC_ERR_OK)
      throw std::runtime_error("cannot read the block at " + hex(address));
    n = count_instructions(code, address, address + size);
    block_sizes_.emplace(key, n);
  }
  block_cache_[block_cache_slot(key)] = BlockCount{key, n};
  return n;
}

void Cpu::instruction(uint64_t address, uint32_t size) {
  if (in_ring0_ || entering_user_ || current_.size == 0) return;
  uint8_t bytes[16] = {};
  const uint32_t n = std::min<uint32_t>(size, sizeof bytes);
  uc_mem_read(uc_, address, bytes, n);
  const uint64_t index = retired_ - current_.instructions + insn_in_block_++;
  observer_->on_instruction(process_, address, {bytes, n}, index);
}

void Cpu::block(uint64_t address, uint32_t size) {
  if (in_ring0_) return;
  if (entering_user_) {
    if (address == image_.enter_user_stub()) return;  // the kernel's iretq: not a user insn
    entering_user_ = false;
  }
  const uint32_t n = block_instructions(address, size);
  if (!exact_tail_) {
    const bool over =
        slice_end_ == SliceEnd::kExact ? retired_ + n > budget_end_ : retired_ >= budget_end_;
    if (over) {
      // Stop before the block runs (Unicorn honours a stop requested in the block hook).
      tail_needed_ = slice_end_ == SliceEnd::kExact && retired_ < budget_end_;
      budget_stop_ = !tail_needed_;
      current_ = Block{};
      uc_emu_stop(uc_);
      return;
    }
  }
  retired_ += n;
  current_ = Block{address, size, n};
  insn_in_block_ = 0;
  if (options_.model == ModelMode::kFull) translate_fetch(address, size);
}

void Cpu::translate_fetch(uint64_t address, uint32_t size) {
  // The instruction TLB is looked up once per page a block's bytes come from.
  const uint64_t last = address + (size == 0 ? 0 : size - 1);
  for (uint64_t page = address & ~mmu::kPageOffsetMask; page <= last; page += kPageBytes) {
    const mmu::VirtAddr va{page < address ? address : page};
    const mmu::Translation t = mmu_.translate(va, mmu::Access::kFetch, mmu::Mode::kUser);
    if (!t.faulted && track_accesses_)
      kernel_.reclaim().on_access(mmu::Pfn{t.pa}, process_.pid(), va.value);
    if (t.faulted && options_.check)
      disagree("the model faults fetching " + hex(va.value) + " (error code " +
               hex(t.fault.error_code) + ") but the CPU executed the block");
  }
}

void Cpu::memory_access(int type, uint64_t address, int size) {
  if (in_ring0_ || entering_user_) return;  // the kernel's own stubs are not guest accesses
  if (options_.check) check_previous_access();
  const mmu::Access access = type == UC_MEM_WRITE ? mmu::Access::kWrite : mmu::Access::kRead;
  // An access that straddles a page boundary is translated once per page, like hardware.
  const uint64_t last = address + static_cast<uint64_t>(size > 0 ? size - 1 : 0);
  for (uint64_t va = address;; va = (va & ~mmu::kPageOffsetMask) + kPageBytes) {
    const mmu::Translation t = mmu_.translate(mmu::VirtAddr{va}, access, mmu::Mode::kUser);
    if (observer_ != nullptr) observer_->on_access(process_, va, access, size, t);
    if (t.faulted) {
      predicted_ = PredictedFault{true, va, access, t.fault};
      return;
    }
    if (track_accesses_) kernel_.reclaim().on_access(mmu::Pfn{t.pa}, process_.pid(), va);
    if (options_.check) {
      const uint64_t host_pfn = aliases_.frame_at(va >> kPageShift);
      if (host_pfn != mmu::Pfn{t.pa}.value)
        disagree("the model translates " + hex(va) + " to frame " + hex(mmu::Pfn{t.pa}.value) +
                 " but the CPU's host page holds frame " + hex(host_pfn));
      last_access_ = LastAccess{true, va, access};
    }
    if ((va >> kPageShift) == (last >> kPageShift)) break;
  }
}

std::string Cpu::describe_walk(uint64_t va, mmu::Access access) const {
  const mmu::WalkResult w = mmu_.probe(mmu::VirtAddr{va}, access, mmu::Mode::kUser);
  std::string out = "model walk from CR3 " + hex(mmu_.control().root.value) + " (PCID " +
                    std::to_string(mmu_.control().pcid) + "):";
  for (uint8_t i = 0; i < w.step_count; ++i)
    out += std::string(" ") + mmu::level_name(w.steps[i].level) + "@" +
           hex(w.steps[i].entry_address.value) + "=" + hex(w.steps[i].entry.raw());
  out += w.faulted ? " -> fault " + hex(w.fault.error_code)
                   : " -> " + hex(w.translate(mmu::VirtAddr{va}).value);
  return out;
}

void Cpu::check_previous_access() {
  if (predicted_.pending)
    disagree("the model predicted a fault at " + hex(predicted_.address) + " (error code " +
             hex(predicted_.fault.error_code) + ") but the CPU went on without one; " +
             describe_walk(predicted_.address, predicted_.access) + "; this engine's CR3 is " +
             hex(process_.space().root().value));
  if (!last_access_.valid) return;
  last_access_.valid = false;
  const mmu::WalkResult w =
      mmu_.probe(mmu::VirtAddr{last_access_.address}, last_access_.access, mmu::Mode::kUser);
  if (w.faulted) return;  // the kernel changed the mapping since; nothing to compare
  const mmu::Pte leaf = w.leaf().entry;
  if (!leaf.accessed() || (last_access_.access == mmu::Access::kWrite && !leaf.dirty()))
    disagree("after a completed " + std::string(mmu::access_name(last_access_.access)) + " of " +
             hex(last_access_.address) + " the PTE " + hex(leaf.raw()) +
             " lacks the Accessed/Dirty bit the CPU must have set");
}

uint32_t Cpu::instructions_before(uint64_t rip) {
  std::vector<uint8_t> code(current_.size);
  if (uc_mem_read(uc_, current_.address, code.data(), code.size()) != UC_ERR_OK)
    throw std::runtime_error("cannot read the block at " + hex(current_.address));
  return count_instructions(code, current_.address, rip);
}

void Cpu::retire_partial_block(uint64_t rip) {
  // The block was counted whole when it started; only the instructions before `rip` retired.
  if (current_.size == 0 || rip < current_.address || rip >= current_.address + current_.size)
    return;
  const uint32_t done = instructions_before(rip);
  retired_ -= current_.instructions - done;
  current_ = Block{rip, 0, 0};
}

void Cpu::interrupt(uint32_t intno) {
  uint64_t rip = 0;
  uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
  retire_partial_block(rip);
  const uint32_t error_code = exception_error_code(uc_, scratch_);
  clear_exception_state(uc_, scratch_);
  if (intno == kVectorDoubleFault) {
    // Only a failed old_exception workaround produces #DF at CPL 3.
    fail("unexpected double fault at rip " + hex(rip) + " (Unicorn exception state)");
    return;
  }
  if (intno != kVectorPageFault) {
    predicted_.pending = false;
    kernel_.cpu_exception(process_, exception_for(intno), rip);
    return;
  }
  uint64_t cr2 = 0;
  uc_reg_read(uc_, UC_X86_REG_CR2, &cr2);
  page_fault(cr2, error_code, rip);
}

bool Cpu::unmapped(int type, uint64_t address, int size) {
  // Unicorn 2.0.1 looks for a memory region at the virtual address before it walks the page
  // tables. No region means no page of the process can be present there: this is the
  // not-present #PF the CPU would raise, reported through another door. The data hook sees a
  // store before this callback but never a load, so the model translates a load here: its
  // statistics and trace must not depend on where the engine happens to have regions.
  if (options_.model == ModelMode::kFull && type != UC_MEM_FETCH_UNMAPPED && !predicted_.pending)
    memory_access(type == UC_MEM_WRITE_UNMAPPED ? UC_MEM_WRITE : UC_MEM_READ, address, size);
  uint64_t rip = 0;
  uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
  uint32_t error_code = mmu::pf_error::kUser;
  if (type == UC_MEM_WRITE_UNMAPPED) error_code |= mmu::pf_error::kWrite;
  if (type == UC_MEM_FETCH_UNMAPPED) error_code |= mmu::pf_error::kInstruction;
  page_fault(address, error_code, rip);
  // Returning true would let the rest of this translation block run with whatever the fault
  // handler changed still cached by the CPU (an evicted page's host memory is gone). Stop
  // instead: the instruction runs again from a clean state, like after a #PF.
  retire_partial_block(rip);
  unmapped_stop_ = true;
  return false;
}

void Cpu::page_fault(uint64_t cr2, uint32_t error_code, uint64_t rip) {
  if (options_.check && options_.model == ModelMode::kFull) check_fault(cr2, error_code);
  if (!error_.empty()) return;
  predicted_.pending = false;
  last_access_.valid = false;
  kernel_.page_fault(process_, cr2, error_code, rip);
}

void Cpu::check_fault(uint64_t cr2, uint32_t error_code) {
  const bool fetch = (error_code & mmu::pf_error::kInstruction) != 0;
  if (fetch) {
    const mmu::WalkResult w = mmu_.probe(mmu::VirtAddr{cr2}, mmu::Access::kFetch, mmu::Mode::kUser);
    if (!w.faulted || w.fault.error_code != error_code)
      disagree("the CPU faulted fetching " + hex(cr2) + " (error code " + hex(error_code) +
               ") but the model's walk says " +
               (w.faulted ? "error code " + hex(w.fault.error_code) : std::string("no fault")));
    return;
  }
  // A locked read-modify-write (lock cmpxchg, xchg) is a write for paging, but Unicorn
  // reports its load half as a read: judge that access as the write it is.
  if ((error_code & mmu::pf_error::kWrite) != 0 &&
      (!predicted_.pending || predicted_.access == mmu::Access::kRead)) {
    const mmu::WalkResult w = mmu_.probe(mmu::VirtAddr{cr2}, mmu::Access::kWrite, mmu::Mode::kUser);
    if (w.faulted) predicted_ = PredictedFault{true, cr2, mmu::Access::kWrite, w.fault};
  }
  if (!predicted_.pending || predicted_.address != cr2 || predicted_.fault.error_code != error_code)
    disagree("the CPU raised #PF at " + hex(cr2) + " (error code " + hex(error_code) +
             ") but the model predicted " +
             (predicted_.pending ? "a fault at " + hex(predicted_.address) + " (error code " +
                                       hex(predicted_.fault.error_code) + ")"
                                 : std::string("no fault")) +
             "; " + describe_walk(cr2, mmu::Access::kWrite));
}

void Cpu::syscall() {
  predicted_.pending = false;
  in_syscall_ = true;
  kernel_.syscall(process_);
  in_syscall_ = false;
  if (!regs_pending_) {
    // Linux returns from `syscall` with RCX = the return address and R11 = RFLAGS.
    uint64_t rip = 0, rflags = 0;
    uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
    uc_reg_read(uc_, UC_X86_REG_EFLAGS, &rflags);
    rip += kSyscallLength;
    uc_reg_write(uc_, UC_X86_REG_RCX, &rip);
    uc_reg_write(uc_, UC_X86_REG_R11, &rflags);
  }
}

void Cpu::port_io() {
  uint64_t rip = 0;
  uc_reg_read(uc_, UC_X86_REG_RIP, &rip);
  retire_partial_block(rip);
  kernel_.cpu_exception(process_, os::CpuException::kGeneralProtection, rip);
}

}  // namespace vmlab::emulator
