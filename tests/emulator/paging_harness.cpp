#include "tests/emulator/paging_harness.h"

#include <unicorn/unicorn.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "mmu/format.h"
#include "mmu/pte.h"
#include "mmu/x86_registers.h"

namespace vmlab::testing {

namespace {

using mmu::hex;
using mmu::kPageBytes;
using mmu::Pte;

namespace x86 = mmu::x86;
constexpr uint64_t kEferLongMode = x86::efer::kLongModeEnable | x86::efer::kLongModeActive;

// uc_emu_start needs an end address; this one is non-canonical, so the CPU never reaches it.
constexpr uint64_t kNeverReached = uint64_t{1} << 63;

// The user code page: one entry point per access kind, each followed by `hlt`, which raises #GP
// at CPL 3 and so ends the run once the access has completed.
constexpr uint64_t kHltBytes = 0xf4f4'f4f4'f4f4'f4f4;  // what a write stores (RAX)
constexpr uint64_t kReadEntry = 0x00, kWriteEntry = 0x10, kFetchEntry = 0x20;
constexpr std::array<uint8_t, 4> kReadCode = {0x48, 0x8b, 0x03, kHlt};   // mov rax, [rbx]
constexpr std::array<uint8_t, 4> kWriteCode = {0x48, 0x89, 0x03, kHlt};  // mov [rbx], rax
constexpr std::array<uint8_t, 2> kFetchCode = {0xff, 0xe3};              // jmp rbx
constexpr uint64_t kAccessLength = 3;         // of the read and write instructions
constexpr uint64_t kUserStackOffset = 0x800;  // RSP at CPL 3: nothing is pushed there

// Harness tables never change, so they are born Accessed (and the kernel's pages Dirty): the CPU
// has no reason to write them.
constexpr uint64_t kUserTable = Pte::kPresent | Pte::kWritable | Pte::kUser | Pte::kAccessed;
constexpr uint64_t kCodeLeaf = Pte::kPresent | Pte::kUser | Pte::kAccessed;
constexpr uint64_t kKernelTable = Pte::kPresent | Pte::kWritable | Pte::kAccessed;
constexpr uint64_t kKernelLeaf = kKernelTable | Pte::kDirty;

constexpr int kPdptStep = 1;

uint64_t pml4_slot(uint64_t va) {
  return mmu::table_index(mmu::VirtAddr{va}, mmu::Level::kPml4);
}

const uint64_t kCodeSlot = pml4_slot(PagingHarness::kCodeVa);
const uint64_t kKernelSlot = pml4_slot(emulator::kDirectMapBase);

uint64_t entry_offset(mmu::Access access) {
  return access == mmu::Access::kRead    ? kReadEntry
         : access == mmu::Access::kWrite ? kWriteEntry
                                         : kFetchEntry;
}

// Where the CPU's `hlt` sits once `access` of `va` has completed.
uint64_t completion_rip(mmu::Access access, uint64_t va) {
  if (access == mmu::Access::kFetch) return va;
  return PagingHarness::kCodeVa + entry_offset(access) + kAccessLength;
}

std::string describe_walk(const mmu::WalkResult& walk, mmu::VirtAddr va) {
  if (!walk.faulted)
    return "completed on a " + std::string(mmu::page_size_name(walk.size)) + " page at PA " +
           hex(walk.translate(va).value);
  if (walk.fault.kind == mmu::FaultKind::kGeneralProtection) return "#GP (non-canonical)";
  return "#PF cr2=" + hex(walk.fault.address.value) + " error=" + hex(walk.fault.error_code) +
         " at the " + mmu::level_name(walk.leaf().level);
}

}  // namespace

std::string AccessOutcome::describe() const {
  switch (kind) {
    case Kind::kCompleted:
      return "completed";
    case Kind::kPageFault:
      return "#PF cr2=" + hex(cr2) + " error=" + hex(error_code) + " rip=" + hex(rip);
    case Kind::kOtherException:
      return "vector " + std::to_string(vector) + " error=" + hex(error_code) + " rip=" + hex(rip);
    case Kind::kUnmapped:
      return "completed outside RAM at PA " + hex(physical) + " (rip=" + hex(rip) + ")";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// The harness

bool PagingHarness::is_target_slot(uint64_t pml4_index) {
  return pml4_index < Pte::kEntriesPerTable && pml4_index != kCodeSlot && pml4_index != kKernelSlot;
}

PagingHarness::PagingHarness(NoExecute no_execute)
    : memory_(mmu::PhysAddr{emulator::kRamBase}, kRamBytes),
      image_(memory_),
      next_frame_(memory_.base() + emulator::KernelImage::kFrames * kPageBytes),
      root_(allocate_frame()),
      no_execute_(no_execute) {
  try {
    set_up();
  } catch (...) {
    release();
    throw;
  }
}

PagingHarness::~PagingHarness() {
  release();
}

void PagingHarness::release() {
  if (scratch_ != nullptr) uc_context_free(scratch_);
  if (ring0_ != nullptr) uc_context_free(ring0_);
  if (uc_ != nullptr) uc_close(uc_);
  scratch_ = ring0_ = nullptr;
  uc_ = nullptr;
}

void PagingHarness::set_up() {
  cpu_facts();  // measured before the hooks rely on it
  check(uc_open(UC_ARCH_X86, UC_MODE_64, &uc_), "uc_open");
  check(uc_ctl_set_cpu_model(uc_, cpu_facts().model), "selecting the CPU model");
  check(uc_context_alloc(uc_, &ring0_), "uc_context_alloc");
  check(uc_context_alloc(uc_, &scratch_), "uc_context_alloc");
  // RAM at its physical address: QEMU's walker reads the tables there and accesses the PA it
  // finds. Nothing else is mapped, so any other PA reaches the unmapped-memory hook.
  check(uc_mem_map_ptr(uc_, memory_.base().value, memory_.size(), UC_PROT_ALL, memory_.host_base()),
        "mapping RAM");
  install_kernel_map();
  install_code_page();
  start_engine();
}

mmu::PagingControl PagingHarness::control() const {
  mmu::PagingControl c;
  c.root = root_;
  c.write_protect = true;
  c.no_execute = no_execute_ == NoExecute::kOn;
  c.large_1g_pages = cpu_facts().one_gib_pages;
  c.physical_address_bits = cpu_facts().physical_address_bits;
  return c;
}

mmu::PhysAddr PagingHarness::allocate_frame() {
  if (!memory_.contains(next_frame_, kPageBytes))
    throw std::length_error("the paging harness has no free RAM frame left");
  const mmu::PhysAddr frame = next_frame_;
  next_frame_ = next_frame_ + kPageBytes;
  memory_.fill(frame, 0, kPageBytes);
  return frame;
}

mmu::PhysAddr PagingHarness::allocate_target_frame() {
  const mmu::PhysAddr frame = allocate_frame();
  memory_.fill(frame, kHlt, kPageBytes);
  return frame;
}

void PagingHarness::map_page(uint64_t va, mmu::PhysAddr frame, uint64_t table_flags,
                             uint64_t leaf_flags) {
  const mmu::VirtAddr v{va};
  mmu::PhysAddr table = root_;
  for (int level = mmu::kLevels; level > 1; --level) {
    const mmu::PhysAddr slot =
        table + mmu::table_index(v, static_cast<mmu::Level>(level)) * Pte::kBytes;
    Pte entry{memory_.read_u64(slot)};
    if (!entry.present()) {
      entry = Pte{table_flags}.with_address(allocate_frame());
      memory_.write_u64(slot, entry.raw());
    }
    table = entry.address();
  }
  memory_.write_u64(table + mmu::table_index(v, mmu::Level::kPt) * Pte::kBytes,
                    Pte{leaf_flags}.with_address(frame).raw());
}

void PagingHarness::install_kernel_map() {
  // The kernel image at its direct-map addresses, supervisor-only and executable (no XD bit, which
  // would be reserved while EFER.NXE=0), in tables of the harness's own.
  for (uint64_t f = 0; f < emulator::KernelImage::kFrames; ++f) {
    const mmu::PhysAddr pa{emulator::kRamBase + f * kPageBytes};
    map_page(emulator::kDirectMapBase + pa.value, pa, kKernelTable, kKernelLeaf);
  }
}

void PagingHarness::install_code_page() {
  const mmu::PhysAddr frame = allocate_frame();
  memory_.fill(frame, kHlt, kPageBytes);
  memory_.write(frame + kReadEntry, kReadCode);
  memory_.write(frame + kWriteEntry, kWriteCode);
  memory_.write(frame + kFetchEntry, kFetchCode);
  map_page(kCodeVa, frame, kUserTable, kCodeLeaf);
}

void PagingHarness::start_engine() {
  // Paging on as Linux runs it: CR3, PAE, long mode (and NXE when asked), CR0.PG|WP|PE.
  uint64_t v = root_.value;
  check(uc_reg_write(uc_, UC_X86_REG_CR3, &v), "CR3");
  v = x86::cr4::kPae;
  check(uc_reg_write(uc_, UC_X86_REG_CR4, &v), "CR4");
  const uint64_t efer_value =
      kEferLongMode | (no_execute_ == NoExecute::kOn ? x86::efer::kNoExecuteEnable : 0);
  uc_x86_msr efer{x86::efer::kMsr, efer_value};
  check(uc_reg_write(uc_, UC_X86_REG_MSR, &efer), "EFER");
  efer.value = 0;
  check(uc_reg_read(uc_, UC_X86_REG_MSR, &efer), "reading EFER back");
  if (efer.value != efer_value)
    throw std::runtime_error("EFER reads back " + hex(efer.value) + " after writing " +
                             hex(efer_value));
  v = x86::cr0::kPaging | x86::cr0::kWriteProtect | x86::cr0::kProtectionEnable;
  check(uc_reg_write(uc_, UC_X86_REG_CR0, &v), "CR0");
  uc_x86_mmr gdtr{0, image_.gdt(), image_.gdt_limit(), 0};
  check(uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr), "GDTR");
  uint64_t selector = x86::selector::kKernelCs;
  check(uc_reg_write(uc_, UC_X86_REG_CS, &selector), "CS");
  selector = x86::selector::kKernelDs;
  check(uc_reg_write(uc_, UC_X86_REG_SS, &selector), "SS");
  check(uc_reg_write(uc_, UC_X86_REG_DS, &selector), "DS");
  // Every case starts from this context: QEMU keeps the vector of an exception delivered to
  // UC_HOOK_INTR as `old_exception`, which would turn the next #PF into a double fault; this
  // context was saved before any exception.
  check(uc_context_save(uc_, ring0_), "saving the ring-0 context");

  uc_hook hook;
  check(uc_hook_add(uc_, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&on_interrupt), this, 1, 0),
        "interrupt hook");
  check(uc_hook_add(uc_, &hook, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&on_unmapped), this,
                    1, 0),
        "unmapped hook");
}

void PagingHarness::enter_user(uint64_t rip, uint64_t target) {
  check(uc_context_restore(uc_, ring0_), "entering ring 0");
  // Restoring a context leaves QEMU's TLB as it was: translations of the previous case's entries.
  check(uc_ctl_flush_tlb(uc_), "flushing the TLB");
  // The kernel image's iretq stub pops RIP, CS, RFLAGS, RSP, SS from the ring-0 stack.
  const std::array<uint64_t, 5> frame = {rip, x86::selector::kUserCs, emulator::kUserRflags,
                                         kCodeVa + kUserStackOffset, x86::selector::kUserDs};
  const uint64_t frame_va = image_.stack_top() - sizeof frame;
  memory_.write(emulator::KernelImage::physical(frame_va),
                {reinterpret_cast<const uint8_t*>(frame.data()), sizeof frame});
  check(uc_reg_write(uc_, UC_X86_REG_RSP, &frame_va), "RSP");
  check(uc_reg_write(uc_, UC_X86_REG_RBX, &target), "RBX");
  check(uc_reg_write(uc_, UC_X86_REG_RAX, &kHltBytes), "RAX");
  stopped_ = false;
  const uc_err err = uc_emu_start(uc_, image_.enter_user_stub(), kNeverReached, 0, 0);
  if (!stopped_)
    throw std::runtime_error(std::string("the CPU stopped without an exception: ") +
                             uc_strerror(err));
}

AccessOutcome PagingHarness::run(mmu::Access access, mmu::VirtAddr va) {
  if (va.value % sizeof(uint64_t) != 0 || !mmu::is_canonical(va) ||
      !is_target_slot(pml4_slot(va.value)))
    throw std::invalid_argument("target " + hex(va.value) +
                                " must be 8-byte aligned, canonical and in a target slot");
  enter_user(kCodeVa + entry_offset(access), va.value);
  AccessOutcome outcome = outcome_;
  if (outcome.kind == AccessOutcome::Kind::kOtherException &&
      outcome.vector == x86::vector::kGeneralProtection &&
      outcome.rip == completion_rip(access, va.value))
    outcome.kind = AccessOutcome::Kind::kCompleted;
  return outcome;
}

void PagingHarness::on_interrupt(uc_struct* uc, uint32_t intno, void* self) {
  auto* harness = static_cast<PagingHarness*>(self);
  AccessOutcome o;
  o.vector = intno;
  o.kind = intno == x86::vector::kPageFault ? AccessOutcome::Kind::kPageFault
                                            : AccessOutcome::Kind::kOtherException;
  uc_reg_read(uc, UC_X86_REG_RIP, &o.rip);
  if (intno == x86::vector::kPageFault) uc_reg_read(uc, UC_X86_REG_CR2, &o.cr2);
  // Unicorn has no register for the error code; the saved context holds it (cpu_facts()).
  if (uc_context_save(uc, harness->scratch_) == UC_ERR_OK)
    o.error_code = read_error_code(harness->scratch_);
  harness->outcome_ = o;
  harness->stopped_ = true;
  uc_emu_stop(uc);
}

bool PagingHarness::on_unmapped(uc_struct* uc, int, uint64_t address, int, int64_t, void* self) {
  // Unicorn 2.1.1 reports the physical address the access went to.
  auto* harness = static_cast<PagingHarness*>(self);
  AccessOutcome o;
  o.kind = AccessOutcome::Kind::kUnmapped;
  o.physical = address;
  uc_reg_read(uc, UC_X86_REG_RIP, &o.rip);
  harness->outcome_ = o;
  harness->stopped_ = true;
  return false;  // Unicorn stops with UC_ERR_*_UNMAPPED
}

// ---------------------------------------------------------------------------------------------
// Target paths and the oracle

TargetPath::TargetPath(PagingHarness& harness)
    : tables_{harness.root(), harness.allocate_frame(), harness.allocate_frame(),
              harness.allocate_frame()} {}

std::string Comparison::describe() const {
  std::string out = std::string(mmu::access_name(access)) + " of " + hex(va.value) +
                    " at CPL 3, EFER.NXE=" + (no_execute ? "1" : "0") + "\n";
  char line[160];
  for (int step = 0; step < mmu::kLevels; ++step) {
    std::snprintf(line, sizeof line, "  %-5s before %#18llx  cpu %#18llx  model %#18llx\n",
                  mmu::level_name(TargetPath::level_of(step)),
                  static_cast<unsigned long long>(before[step]),
                  static_cast<unsigned long long>(cpu_after[step]),
                  static_cast<unsigned long long>(model_after[step]));
    out += line;
  }
  const std::string walk = model_error.empty() ? describe_walk(model, va) : "threw " + model_error;
  return out + "  CPU:   " + cpu.describe() + "\n  model: " + walk + "\n";
}

WalkerOracle::WalkerOracle(NoExecute no_execute)
    : harness_(no_execute),
      model_memory_(harness_.memory().base(), harness_.memory().size()),
      path_(harness_),
      target_frame_(harness_.allocate_target_frame()) {}

Comparison WalkerOracle::compare(mmu::VirtAddr va, mmu::Access access, const PathEntries& entries) {
  Comparison c;
  c.va = va;
  c.access = access;
  c.no_execute = harness_.control().no_execute;
  c.before = entries;
  try {
    c.model = model_walk(va, access, entries, c.model_after);
  } catch (const std::out_of_range& e) {
    c.model_error = e.what();  // a walker that follows an entry it should have refused
    path_.write(model_memory_, va, PathEntries{});
  }
  path_.write(harness_.memory(), va, entries);
  c.cpu = harness_.run(access, va);
  c.cpu_after = path_.read(harness_.memory(), va);
  path_.write(harness_.memory(), va, PathEntries{});
  c.verdict = judge(c);
  return c;
}

mmu::WalkResult WalkerOracle::model_walk(mmu::VirtAddr va, mmu::Access access,
                                         const PathEntries& before, PathEntries& after) {
  // The model's RAM holds the same entries at the same physical addresses: a walk reads
  // nothing but the entries on the path of `va`.
  path_.write(model_memory_, va, before);
  const mmu::WalkResult walk =
      mmu::walk(model_memory_, harness_.control(), va, access, mmu::Mode::kUser);
  after = path_.read(model_memory_, va);
  path_.write(model_memory_, va, PathEntries{});
  return walk;
}

// Whether the CPU did what the walk says: completed at the physical address the walk names (in
// RAM, or outside it, where Unicorn reports the address), or #PF with the same CR2 and error code.
bool WalkerOracle::same_result(const Comparison& c) {
  const mmu::WalkResult& walk = c.model;
  switch (c.cpu.kind) {
    case AccessOutcome::Kind::kCompleted:
      return !walk.faulted && harness_.memory().contains(walk.translate(c.va), sizeof(uint64_t));
    case AccessOutcome::Kind::kUnmapped:
      return !walk.faulted && walk.translate(c.va).value == c.cpu.physical &&
             !harness_.memory().contains(walk.translate(c.va));
    case AccessOutcome::Kind::kPageFault:
      return walk.faulted && walk.fault.kind == mmu::FaultKind::kPageFault &&
             walk.fault.address.value == c.cpu.cr2 && walk.fault.error_code == c.cpu.error_code;
    case AccessOutcome::Kind::kOtherException:
      return false;
  }
  return false;
}

Verdict WalkerOracle::judge(const Comparison& c) {
  if (!c.model_error.empty() || !same_result(c)) return Verdict::kDisagree;
  if (c.cpu_after == c.model_after) return Verdict::kAgree;
  // QEMU's one departure: A in a 1 GiB leaf whose access then faults.
  const bool faulting_one_gib_leaf = c.model.faulted && c.model.leaf().level == mmu::Level::kPdpt &&
                                     c.model.leaf().entry.present() &&
                                     c.model.leaf().entry.page_size();
  if (!faulting_one_gib_leaf) return Verdict::kDisagree;
  PathEntries expected = c.model_after;
  expected[kPdptStep] |= Pte::kAccessed;
  return c.cpu_after == expected ? Verdict::kQemuAccessedInFaultingOneGiBLeaf : Verdict::kDisagree;
}

}  // namespace vmlab::testing
