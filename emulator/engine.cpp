#include "emulator/engine.h"

#include <unicorn/unicorn.h>

#include <stdexcept>
#include <string>

#include "emulator/cpu.h"
#include "mmu/x86_registers.h"

namespace vmlab::emulator {

namespace {

namespace x86 = mmu::x86;

constexpr uint64_t kRing0Rflags = x86::rflags::kReserved1;
// Where the boot's iretq lands: a user address no process can map (below vm.mmap_min_addr).
// The engine stops before running anything there.
constexpr uint64_t kBootUserRip = 0x1000;

void check(uc_err err, const char* what) {
  if (err != UC_ERR_OK) throw std::runtime_error(std::string(what) + ": " + uc_strerror(err));
}

}  // namespace

Engine::Engine(mmu::PhysicalMemory& ram, const KernelImage& image, const EngineOptions& options)
    : ram_(ram),
      image_(image),
      options_(options),
      code_frames_(ram.frame_count() + ram.first_pfn().value, false),
      shadow_(ram.first_pfn().value, ram.frame_count()) {
  check(uc_open(UC_ARCH_X86, UC_MODE_64, &uc_), "uc_open");
  // The model is the MMU: QEMU's walker is bypassed, every softmmu miss comes to on_fill.
  check(uc_ctl_tlb_mode(uc_, UC_TLB_VIRTUAL), "selecting the virtual TLB");
  check(uc_mem_map_ptr(uc_, ram.base().value, ram.size(), UC_PROT_ALL, ram.host_base()),
        "mapping physical memory");
  check(uc_context_alloc(uc_, &template_), "uc_context_alloc");
  set_up_cpu_state();
  add_hooks();
  boot();
}

Engine::~Engine() {
  uc_context_free(template_);
  uc_close(uc_);
}

void Engine::set_up_cpu_state() {
  // Long mode as Linux runs it: CR0.PG|WP|NE|MP|PE, CR4.PAE|OSFXSR|OSXMMEXCPT, EFER.LME.
  // (Translation itself is the model's: these bits only put QEMU's decoder in 64-bit mode.)
  // CR4.TSD makes RDTSC trap, so that the time stamp the guest reads is the modelled clock,
  // not the host's (Unicorn 2.1.1 has no RDTSC hook): see Cpu::emulate_time_stamp.
  uint64_t v =
      x86::cr4::kPae | x86::cr4::kOsfxsr | x86::cr4::kOsxmmexcpt | x86::cr4::kTimeStampDisable;
  check(uc_reg_write(uc_, UC_X86_REG_CR4, &v), "CR4");
  uc_x86_msr efer{x86::efer::kMsr, x86::efer::kLongModeEnable | x86::efer::kLongModeActive};
  check(uc_reg_write(uc_, UC_X86_REG_MSR, &efer), "EFER");
  v = x86::cr0::kPaging | x86::cr0::kWriteProtect | x86::cr0::kNumericError |
      x86::cr0::kMonitorCoprocessor | x86::cr0::kProtectionEnable;
  check(uc_reg_write(uc_, UC_X86_REG_CR0, &v), "CR0");
  uc_x86_mmr gdtr{0, image_.gdt(), image_.gdt_limit(), 0};
  check(uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr), "GDTR");
  uint64_t selector = x86::selector::kKernelCs;
  check(uc_reg_write(uc_, UC_X86_REG_CS, &selector), "CS");
  selector = x86::selector::kKernelDs;
  check(uc_reg_write(uc_, UC_X86_REG_SS, &selector), "SS");
  check(uc_reg_write(uc_, UC_X86_REG_DS, &selector), "DS");
}

void Engine::boot() {
  // The iretq frame on the ring-0 stack: RIP, CS, RFLAGS, RSP, SS.
  const uint64_t frame[5] = {kBootUserRip, x86::selector::kUserCs, kUserRflags, 0,
                             x86::selector::kUserDs};
  const uint64_t frame_va = image_.stack_top() - sizeof frame;
  ram_.write(KernelImage::physical(frame_va),
             {reinterpret_cast<const uint8_t*>(frame), sizeof frame});
  uint64_t rsp = frame_va, rflags = kRing0Rflags;
  check(uc_reg_write(uc_, UC_X86_REG_RSP, &rsp), "RSP");
  check(uc_reg_write(uc_, UC_X86_REG_EFLAGS, &rflags), "RFLAGS");
  booting_ = true;
  const uc_err err = uc_emu_start(uc_, image_.enter_user_stub(), kBootUserRip, 0, 0);
  booting_ = false;
  check(err, "entering user mode");
  uint64_t cs = 0;
  uc_reg_read(uc_, UC_X86_REG_CS, &cs);
  if (cs != x86::selector::kUserCs) throw std::runtime_error("the engine did not reach CPL 3");
  const os::UserRegs zero{};
  RegisterFile{uc_, nullptr}.set_user_regs(zero);
  check(uc_context_save(uc_, template_), "saving the user template");
  check(uc_ctl_flush_tlb(uc_), "flushing the boot translations");
  // From now on runs end only through uc_emu_stop or a count: with "exits" enabled and none
  // set, uc_emu_start ignores its `until` argument (an end address that is never reached
  // still costs a fetch translation of its page, which the model would have to refuse).
  check(uc_ctl_exits_enable(uc_), "disabling the end address");
}

bool Engine::boot_fill(uint64_t va, int type, void* out) {
  auto* entry = static_cast<uc_tlb_entry*>(out);
  if (KernelImage::contains(va)) {
    // The kernel image, or a frame whose translations forget_code drops, at direct-map VAs.
    entry->paddr = KernelImage::physical(va).value;
    entry->perms = static_cast<uc_prot>(UC_PROT_READ | UC_PROT_WRITE | UC_PROT_EXEC);
    return true;
  }
  if (forgetting_code_ && va >= kDirectMapBase) {
    entry->paddr = va - kDirectMapBase;
    entry->perms = UC_PROT_EXEC;
    return true;
  }
  // The fetch at kBootUserRip that ends the boot: nothing there runs.
  entry->paddr = kRamBase;
  entry->perms = UC_PROT_EXEC;
  return type == UC_MEM_FETCH;
}

void Engine::add_hooks() {
  uc_hook hook;
  auto add = [&](int type, void* callback, const char* what, int insn = -1) {
    // begin > end: every address.
    const uc_err err = insn < 0 ? uc_hook_add(uc_, &hook, type, callback, this, 1, 0)
                                : uc_hook_add(uc_, &hook, type, callback, this, 1, 0, insn);
    check(err, what);
  };
  add(UC_HOOK_TLB_FILL, reinterpret_cast<void*>(&Engine::on_fill), "fill hook");
  // The block hook covers the canonical lower half only: Unicorn decides at translation time
  // whether a block calls it, so the boot's blocks and the code forget_code touches (kernel
  // addresses, nothing bound) never do. The fast model's hook is a separate function: the
  // compiler keeps both frameless leaves.
  constexpr uint64_t kLastUserAddress = (uint64_t{1} << (mmu::kLinearAddressBits - 1)) - 1;
  check(uc_hook_add(uc_, &hook, UC_HOOK_BLOCK,
                    options_.memory_hooks ? reinterpret_cast<void*>(&Engine::on_block)
                                          : reinterpret_cast<void*>(&Engine::on_block_counted),
                    this, 0, kLastUserAddress),
        "block hook");
  if (options_.memory_hooks)
    add(UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, reinterpret_cast<void*>(&Engine::on_memory),
        "memory hook");
  if (options_.instruction_hook)
    add(UC_HOOK_CODE, reinterpret_cast<void*>(&Engine::on_code), "instruction hook");
  add(UC_HOOK_INTR, reinterpret_cast<void*>(&Engine::on_interrupt), "interrupt hook");
  add(UC_HOOK_INSN, reinterpret_cast<void*>(&Engine::on_syscall), "syscall hook",
      UC_X86_INS_SYSCALL);
  add(UC_HOOK_INSN, reinterpret_cast<void*>(&Engine::on_port_in), "in hook", UC_X86_INS_IN);
  add(UC_HOOK_INSN, reinterpret_cast<void*>(&Engine::on_port_out), "out hook", UC_X86_INS_OUT);
}

uc_context* Engine::new_context() {
  uc_context* context = nullptr;
  check(uc_context_alloc(uc_, &context), "uc_context_alloc");
  // A context is a copy of the CPU state: load the template, take it, put back what was live.
  if (bound_ != nullptr) {
    check(uc_context_save(uc_, context), "saving the live context");
    check(uc_context_restore(uc_, template_), "loading the template");
    uc_context* fresh = nullptr;
    check(uc_context_alloc(uc_, &fresh), "uc_context_alloc");
    check(uc_context_save(uc_, fresh), "copying the template");
    check(uc_context_restore(uc_, context), "restoring the live context");
    uc_context_free(context);
    return fresh;
  }
  check(uc_context_restore(uc_, template_), "loading the template");
  check(uc_context_save(uc_, context), "copying the template");
  return context;
}

void Engine::reset_exception_state() {
  const RegisterFile live{uc_, nullptr};
  const os::UserRegs regs = live.user_regs();
  const os::FxsaveArea fpu = live.fpu();
  check(uc_context_restore(uc_, template_), "loading the template");
  live.set_user_regs(regs);
  live.set_fpu(fpu);
}

void Engine::save(uc_context* context) {
  check(uc_context_save(uc_, context), "saving a context");
}

void Engine::bind(Cpu& cpu) {
  if (bound_ == &cpu) return;
  if (bound_ != nullptr) save(bound_->context());
  check(uc_context_restore(uc_, cpu.context()), "loading a context");
  bound_ = &cpu;
  flush_pending_ = true;  // the softmmu TLB holds the previous address space's translations
}

void Engine::unbind(Cpu& cpu) {
  if (bound_ == &cpu) bound_ = nullptr;
}

RegisterFile Engine::registers(Cpu& cpu) {
  return bound_ == &cpu ? RegisterFile{uc_, nullptr} : RegisterFile{nullptr, cpu.context()};
}

void Engine::flush_tlb_if_pending() {
  if (!flush_pending_) return;
  flush_pending_ = false;
  fills_since_flush_ = 0;
  check(uc_ctl_flush_tlb(uc_), "flushing the softmmu TLB");
  shadow_.clear();
  if (bound_ != nullptr) bound_->softmmu_flushed();
}

void Engine::note_code_frame(mmu::PhysAddr pa) {
  const uint64_t frame = pa.value >> mmu::kPageShift;
  if (frame < code_frames_.size()) code_frames_[frame] = true;
}

void Engine::forget_code(mmu::PhysAddr pa) {
  const uint64_t frame = pa.value >> mmu::kPageShift;
  if (frame >= code_frames_.size() || !code_frames_[frame]) return;
  code_frames_[frame] = false;
  // uc_ctl_remove_cache takes a virtual address and translates it as a fetch: the frame's
  // direct-map address, which boot_fill resolves while forgetting_code_ is set. The softmmu
  // entry this creates must not outlive the call.
  const uint64_t va = kDirectMapBase + (pa.value & ~mmu::kPageOffsetMask);
  forgetting_code_ = true;
  const uc_err err = uc_ctl_remove_cache(uc_, va, va + mmu::kPageBytes);
  forgetting_code_ = false;
  flush_pending_ = true;
  check(err, "dropping translated code");
}

// ---------------------------------------------------------------------------------------------
// Hooks: Unicorn calls these from C. They forward to the bound CPU, which never lets an
// exception escape (see Cpu::guarded).

bool Engine::on_fill(uc_struct*, uint64_t va, int type, void* entry, void* self) {
  auto* engine = static_cast<Engine*>(self);
  if (engine->booting_ || engine->forgetting_code_ || engine->bound_ == nullptr)
    return engine->boot_fill(va, type, entry);
  return engine->bound_->fill(va, type, entry);
}

// The block hooks see user addresses only (add_hooks), and user code runs only with a CPU
// context bound: no null test in the hottest hook.
void Engine::on_block(uc_struct*, uint64_t address, uint32_t size, void* self) {
  static_cast<Engine*>(self)->bound_->block(address, size);
}

void Engine::on_block_counted(uc_struct*, uint64_t address, uint32_t size, void* self) {
  static_cast<Engine*>(self)->bound_->count_block(address, size);
}

void Engine::on_code(uc_struct*, uint64_t address, uint32_t size, void* self) {
  auto* engine = static_cast<Engine*>(self);
  if (engine->booting_ || engine->bound_ == nullptr) return;
  engine->bound_->instruction(address, size);
}

bool Engine::on_memory(uc_struct*, int type, uint64_t address, int size, int64_t, void* self) {
  auto* engine = static_cast<Engine*>(self);
  if (engine->booting_ || engine->bound_ == nullptr) return true;
  engine->bound_->memory_access(type == UC_MEM_WRITE ? mmu::Access::kWrite : mmu::Access::kRead,
                                address, size);
  return true;
}

void Engine::on_interrupt(uc_struct*, uint32_t intno, void* self) {
  auto* engine = static_cast<Engine*>(self);
  if (engine->bound_ != nullptr) engine->bound_->interrupt(intno);
}

void Engine::on_syscall(uc_struct*, void* self) {
  auto* engine = static_cast<Engine*>(self);
  if (engine->bound_ != nullptr) engine->bound_->syscall();
}

uint32_t Engine::on_port_in(uc_struct*, uint32_t, int, void* self) {
  // Unicorn does not check IOPL or the I/O bitmap at CPL 3; Linux would deliver SIGSEGV.
  auto* engine = static_cast<Engine*>(self);
  if (engine->bound_ != nullptr) engine->bound_->port_io();
  return 0;
}

void Engine::on_port_out(uc_struct*, uint32_t, int, uint32_t, void* self) {
  auto* engine = static_cast<Engine*>(self);
  if (engine->bound_ != nullptr) engine->bound_->port_io();
}

}  // namespace vmlab::emulator
