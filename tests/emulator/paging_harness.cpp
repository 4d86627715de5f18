#include "tests/emulator/paging_harness.h"

#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include <array>
#include <cstdio>
#include <stdexcept>

#include "emulator/unicorn_quirks.h"
#include "mmu/format.h"
#include "mmu/pte.h"

namespace vmlab::testing {

namespace {

using mmu::hex;
using mmu::kPageBytes;
using mmu::Pte;

constexpr uint64_t kCr0ProtectionEnable = 1u << 0;
constexpr uint64_t kCr0WriteProtect = 1u << 16;
constexpr uint64_t kCr0Paging = 1u << 31;
constexpr uint64_t kCr4Pae = 1u << 5;
constexpr uint32_t kEferMsr = 0xC000'0080;
constexpr uint64_t kEferLongMode = (1u << 8) | (1u << 10);  // LME | LMA
constexpr uint64_t kUserRflags = 0x202;                     // IF, reserved bit 1

constexpr uint32_t kVectorGeneralProtection = 13;
constexpr uint32_t kVectorPageFault = 14;

// uc_emu_start needs an end address; this one is non-canonical, so the CPU never reaches it.
constexpr uint64_t kNeverReached = uint64_t{1} << 63;

// The user code page: one entry point per access kind, each followed by `hlt`, which raises #GP
// at CPL 3 and so ends the run once the access has completed.
constexpr uint8_t kHlt = 0xf4;
constexpr uint64_t kReadEntry = 0x00, kWriteEntry = 0x10, kFetchEntry = 0x20;
constexpr std::array<uint8_t, 4> kReadCode = {0x48, 0x8b, 0x03, kHlt};   // mov rax, [rbx]
constexpr std::array<uint8_t, 4> kWriteCode = {0x48, 0x89, 0x03, kHlt};  // mov [rbx], rax
constexpr std::array<uint8_t, 2> kFetchCode = {0xff, 0xe3};              // jmp rbx
constexpr uint64_t kAccessLength = 3;         // of the read and write instructions
constexpr uint64_t kUserStackOffset = 0x800;  // RSP at CPL 3: nothing is pushed there

// Harness tables never change, so they are born Accessed: the CPU has no reason to write them.
constexpr uint64_t kUserTable = Pte::kPresent | Pte::kWritable | Pte::kUser | Pte::kAccessed;
constexpr uint64_t kKernelTable = Pte::kPresent | Pte::kWritable | Pte::kAccessed;
constexpr uint64_t kCodeLeaf = Pte::kPresent | Pte::kUser | Pte::kAccessed;

constexpr uint64_t kCodeSlot = 0;
constexpr uint8_t kPhysicalAddressBits = 40;

void check(uc_err err, const std::string& what) {
  if (err != UC_ERR_OK) throw std::runtime_error(what + ": " + uc_strerror(err));
}

uint64_t pml4_slot(uint64_t va) {
  return mmu::table_index(mmu::VirtAddr{va}, mmu::Level::kPml4);
}

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

// Whether the CPU did what the walk says: completed, or #PF with the same CR2 and error code.
bool same_result(const AccessOutcome& cpu, const mmu::WalkResult& walk) {
  switch (cpu.kind) {
    case AccessOutcome::Kind::kCompleted:
      return !walk.faulted;
    case AccessOutcome::Kind::kPageFault:
      return walk.faulted && walk.fault.kind == mmu::FaultKind::kPageFault &&
             walk.fault.address.value == cpu.cr2 && walk.fault.error_code == cpu.error_code;
    default:
      return false;
  }
}

std::string describe_walk(const mmu::WalkResult& walk) {
  if (!walk.faulted)
    return "completed on a " + std::string(mmu::page_size_name(walk.size)) + " page";
  if (walk.fault.kind == mmu::FaultKind::kGeneralProtection) return "#GP (non-canonical)";
  return "#PF cr2=" + hex(walk.fault.address.value) + " error=" + hex(walk.fault.error_code) +
         " at the " + mmu::level_name(walk.leaf().level);
}

constexpr int kPdptStep = 1;

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
      return "no Unicorn region at " + hex(cr2) + " (rip=" + hex(rip) + ")";
  }
  return "?";
}

bool PagingHarness::is_target_slot(uint64_t pml4_index) {
  return pml4_index < Pte::kEntriesPerTable && pml4_index != kCodeSlot &&
         pml4_index != pml4_slot(emulator::kRamBase);
}

PagingHarness::PagingHarness(NoExecute no_execute, const std::vector<VaRange>& targets)
    : memory_(mmu::PhysAddr{emulator::kRamBase}, kRamBytes),
      image_(memory_),
      next_frame_(memory_.base() + emulator::KernelImage::kFrames * kPageBytes),
      root_(allocate_frame()),
      no_execute_(no_execute) {
  try {
    set_up(targets);
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
  for (const HostRange& t : targets_)
    munmap(t.host, t.range.bytes);
  if (code_host_ != nullptr) munmap(code_host_, kPageBytes);
}

void PagingHarness::set_up(const std::vector<VaRange>& targets) {
  emulator::context_layout();  // proves the Unicorn workarounds before the hook relies on them
  check(uc_open(UC_ARCH_X86, UC_MODE_64, &uc_), "uc_open");
  check(uc_context_alloc(uc_, &ring0_), "uc_context_alloc");
  check(uc_context_alloc(uc_, &scratch_), "uc_context_alloc");
  // RAM at its physical address: QEMU's walker reads the page tables there.
  check(uc_mem_map_ptr(uc_, memory_.base().value, memory_.size(), UC_PROT_ALL, memory_.host_base()),
        "mapping RAM");
  memory_.write_u64(root_ + image_.pml4_index() * Pte::kBytes,
                    Pte{kKernelTable}.with_address(image_.kernel_pdpt()).raw());
  if (no_execute_ == NoExecute::kOff) clear_kernel_no_execute();
  install_code_page();
  for (const VaRange& range : targets)
    map_target(range);
  start_engine();
}

mmu::PagingControl PagingHarness::control() const {
  mmu::PagingControl c;
  c.root = root_;
  c.write_protect = true;
  c.no_execute = no_execute_ == NoExecute::kOn;
  // QEMU's CPU model as its CPUID describes it (measured: CPUID.80000008H:EAX = 0x3028, so
  // MAXPHYADDR 40; CPUID.80000001H:EDX = 0xa8000000, so no Page1GB). See Verdict for 1 GiB pages.
  c.large_1g_pages = false;
  c.physical_address_bits = kPhysicalAddressBits;
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

void PagingHarness::clear_kernel_no_execute() {
  // The kernel image marks its data frames execute-disable, and XD is a reserved bit while
  // EFER.NXE=0: the iretq stub could not even read its stack. Clear it in the image's tables.
  mmu::PagingControl with_nx = control();
  with_nx.no_execute = true;
  for (uint64_t f = 0; f < emulator::KernelImage::kFrames; ++f) {
    const mmu::VirtAddr va{emulator::kRamBase + f * kPageBytes};
    const mmu::WalkResult w = mmu::walk(memory_, with_nx, va, mmu::Access::kRead,
                                        mmu::Mode::kSupervisor, mmu::WalkEffects::kNone);
    if (w.faulted) throw std::logic_error("the kernel image does not map " + hex(va.value));
    memory_.write_u64(w.leaf().entry_address, w.leaf().entry.without(Pte::kNoExecute).raw());
  }
}

void PagingHarness::install_code_page() {
  // Slot 0 maps the code page through tables of its own; the page is a RAM frame, aliased on
  // the host at its virtual address because Unicorn fetches at PA == VA.
  const mmu::VirtAddr va{kCodeVa};
  mmu::PhysAddr table = root_;
  for (int level = mmu::kLevels; level > 1; --level) {
    const mmu::PhysAddr next = allocate_frame();
    const auto lvl = static_cast<mmu::Level>(level);
    memory_.write_u64(table + mmu::table_index(va, lvl) * Pte::kBytes,
                      Pte{kUserTable}.with_address(next).raw());
    table = next;
  }
  const mmu::PhysAddr frame = allocate_frame();
  memory_.write_u64(table + mmu::table_index(va, mmu::Level::kPt) * Pte::kBytes,
                    Pte{kCodeLeaf}.with_address(frame).raw());
  memory_.fill(frame, kHlt, kPageBytes);
  memory_.write(frame + kReadEntry, kReadCode);
  memory_.write(frame + kWriteEntry, kWriteCode);
  memory_.write(frame + kFetchEntry, kFetchCode);

  void* host = mmap(nullptr, kPageBytes, PROT_READ | PROT_WRITE, MAP_SHARED, memory_.memfd(),
                    static_cast<off_t>(memory_.offset_of(frame)));
  if (host == MAP_FAILED) throw std::runtime_error("cannot alias the code frame");
  code_host_ = static_cast<uint8_t*>(host);
  check(uc_mem_map_ptr(uc_, kCodeVa, kPageBytes, UC_PROT_ALL, code_host_), "mapping the code");
}

void PagingHarness::map_target(const VaRange& range) {
  const uint64_t last = range.start + range.bytes - 1;
  if (range.bytes == 0 || (range.start | range.bytes) % kPageBytes != 0 ||
      !mmu::is_canonical(mmu::VirtAddr{range.start}) || !mmu::is_canonical(mmu::VirtAddr{last}))
    throw std::invalid_argument("target range " + hex(range.start) + "+" + hex(range.bytes) +
                                " must be page aligned and canonical");
  for (uint64_t slot = pml4_slot(range.start); slot <= pml4_slot(last); ++slot)
    if (!is_target_slot(slot))
      throw std::invalid_argument("target range " + hex(range.start) +
                                  " overlaps a PML4 slot the harness uses");
  // Only pages the CPU or the harness touch get host memory; the rest stays a reservation.
  void* host = mmap(nullptr, range.bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (host == MAP_FAILED) throw std::runtime_error("cannot reserve host memory for a target");
  targets_.push_back(HostRange{range, static_cast<uint8_t*>(host)});
  check(uc_mem_map_ptr(uc_, range.start, range.bytes, UC_PROT_ALL, host),
        "mapping target range " + hex(range.start));
}

uint8_t* PagingHarness::host(uint64_t va) const {
  for (const HostRange& t : targets_)
    if (va - t.range.start < t.range.bytes) return t.host + (va - t.range.start);
  throw std::invalid_argument(hex(va) + " is not inside a target range");
}

void PagingHarness::start_engine() {
  // Paging on as emulator/cpu.cpp does it: CR3, PAE, long mode, CR0.PG|WP|PE; NX through the
  // saved-context workaround, since the CPU model refuses EFER.NXE through WRMSR.
  uint64_t v = root_.value;
  check(uc_reg_write(uc_, UC_X86_REG_CR3, &v), "CR3");
  v = kCr4Pae;
  check(uc_reg_write(uc_, UC_X86_REG_CR4, &v), "CR4");
  uc_x86_msr efer{kEferMsr, kEferLongMode};
  check(uc_reg_write(uc_, UC_X86_REG_MSR, &efer), "EFER");
  v = kCr0Paging | kCr0WriteProtect | kCr0ProtectionEnable;
  check(uc_reg_write(uc_, UC_X86_REG_CR0, &v), "CR0");
  if (no_execute_ == NoExecute::kOn) emulator::enable_no_execute(uc_, scratch_);
  uc_x86_mmr gdtr{0, image_.gdt(), image_.gdt_limit(), 0};
  check(uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr), "GDTR");
  uint64_t selector = emulator::kKernelCs;
  check(uc_reg_write(uc_, UC_X86_REG_CS, &selector), "CS");
  selector = emulator::kKernelDs;
  check(uc_reg_write(uc_, UC_X86_REG_SS, &selector), "SS");
  check(uc_reg_write(uc_, UC_X86_REG_DS, &selector), "DS");
  check(uc_context_save(uc_, ring0_), "saving the ring-0 context");

  uc_hook hook;
  check(uc_hook_add(uc_, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&on_interrupt), this, 1, 0),
        "interrupt hook");
  check(uc_hook_add(uc_, &hook, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&on_unmapped), this,
                    1, 0),
        "unmapped hook");
}

void PagingHarness::flush_tlb() {
  // Host writes of CR3 do not flush QEMU's TLB; a `mov cr3` executed by the CPU does.
  check(uc_context_restore(uc_, ring0_), "entering ring 0");
  stopped_ = false;
  check(uc_emu_start(uc_, image_.flush_stub(), image_.flush_stub_end(), 0, 0), "TLB flush stub");
  if (stopped_) throw std::runtime_error("the TLB flush stub faulted: " + outcome_.describe());
}

void PagingHarness::enter_user(uint64_t rip, uint64_t target) {
  // The kernel image's iretq stub pops RIP, CS, RFLAGS, RSP, SS from the ring-0 stack.
  check(uc_context_restore(uc_, ring0_), "entering ring 0");
  const std::array<uint64_t, 5> frame = {rip, emulator::kUserCs, kUserRflags,
                                         kCodeVa + kUserStackOffset, emulator::kUserDs};
  const uint64_t frame_address = image_.stack_top() - sizeof frame;
  memory_.write(mmu::PhysAddr{frame_address},
                {reinterpret_cast<const uint8_t*>(frame.data()), sizeof frame});
  check(uc_reg_write(uc_, UC_X86_REG_RSP, &frame_address), "RSP");
  check(uc_reg_write(uc_, UC_X86_REG_RBX, &target), "RBX");
  stopped_ = false;
  const uc_err err = uc_emu_start(uc_, image_.enter_user_stub(), kNeverReached, 0, 0);
  if (!stopped_)
    throw std::runtime_error(std::string("the CPU stopped without an exception: ") +
                             uc_strerror(err));
}

AccessOutcome PagingHarness::run(mmu::Access access, mmu::VirtAddr va) {
  if (va.value % sizeof(uint64_t) != 0)
    throw std::invalid_argument("target " + hex(va.value) + " must be 8-byte aligned");
  uint8_t* byte = host(va.value);
  if (access == mmu::Access::kFetch) *byte = kHlt;
  flush_tlb();
  enter_user(kCodeVa + entry_offset(access), va.value);
  if (access != mmu::Access::kRead) {
    // Give the page back to the host so 100,000 cases do not grow the test's memory. A QEMU TLB
    // entry onto it stays valid: the page reads as zeros until touched again.
    madvise(byte - va.page_offset(), kPageBytes, MADV_DONTNEED);
  }
  AccessOutcome outcome = outcome_;
  if (outcome.kind == AccessOutcome::Kind::kOtherException &&
      outcome.vector == kVectorGeneralProtection && outcome.rip == completion_rip(access, va.value))
    outcome.kind = AccessOutcome::Kind::kCompleted;
  return outcome;
}

void PagingHarness::on_interrupt(uc_struct* uc, uint32_t intno, void* self) {
  auto* harness = static_cast<PagingHarness*>(self);
  AccessOutcome o;
  o.vector = intno;
  o.kind = intno == kVectorPageFault ? AccessOutcome::Kind::kPageFault
                                     : AccessOutcome::Kind::kOtherException;
  uc_reg_read(uc, UC_X86_REG_RIP, &o.rip);
  if (intno == kVectorPageFault) uc_reg_read(uc, UC_X86_REG_CR2, &o.cr2);
  o.error_code = emulator::exception_error_code(uc, harness->scratch_);
  // Without this the next case's fault would arrive as a double fault (DESIGN.md §2).
  emulator::clear_exception_state(uc, harness->scratch_);
  harness->outcome_ = o;
  harness->stopped_ = true;
  uc_emu_stop(uc);
}

bool PagingHarness::on_unmapped(uc_struct* uc, int, uint64_t address, int, int64_t, void* self) {
  auto* harness = static_cast<PagingHarness*>(self);
  AccessOutcome o;
  o.kind = AccessOutcome::Kind::kUnmapped;
  o.cr2 = address;
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
  const std::string walk = model_error.empty() ? describe_walk(model) : "threw " + model_error;
  return out + "  CPU:   " + cpu.describe() + "\n  model: " + walk + "\n";
}

WalkerOracle::WalkerOracle(NoExecute no_execute, const std::vector<VaRange>& targets)
    : harness_(no_execute, targets),
      model_memory_(harness_.memory().base(), harness_.memory().size()),
      path_(harness_) {}

Comparison WalkerOracle::compare(mmu::VirtAddr va, mmu::Access access, const PathEntries& entries) {
  Comparison c;
  c.va = va;
  c.access = access;
  c.no_execute = harness_.control().no_execute;
  c.before = entries;
  try {
    c.model = model_walk(harness_.control(), va, access, entries, c.model_after);
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

mmu::WalkResult WalkerOracle::model_walk(const mmu::PagingControl& control, mmu::VirtAddr va,
                                         mmu::Access access, const PathEntries& before,
                                         PathEntries& after) {
  // The model's RAM holds the same entries at the same physical addresses: a walk reads
  // nothing but the entries on the path of `va`.
  path_.write(model_memory_, va, before);
  const mmu::WalkResult walk = mmu::walk(model_memory_, control, va, access, mmu::Mode::kUser);
  after = path_.read(model_memory_, va);
  path_.write(model_memory_, va, PathEntries{});
  return walk;
}

Verdict WalkerOracle::judge(const Comparison& c) {
  if (!c.model_error.empty()) return Verdict::kDisagree;
  if (same_result(c.cpu, c.model) && c.cpu_after == c.model_after) return Verdict::kAgree;
  const bool ps_in_pdpte = c.model.faulted && c.model.leaf().level == mmu::Level::kPdpt &&
                           c.model.leaf().entry.page_size();
  if (!ps_in_pdpte) return Verdict::kDisagree;

  mmu::PagingControl one_gib = harness_.control();
  one_gib.large_1g_pages = true;
  PathEntries expected{};
  const mmu::WalkResult walk = model_walk(one_gib, c.va, c.access, c.before, expected);
  if (!same_result(c.cpu, walk)) return Verdict::kDisagree;
  if (c.cpu_after == expected) return Verdict::kQemuOneGiBPage;
  expected[kPdptStep] |= Pte::kAccessed;
  if (walk.faulted && c.cpu_after == expected) return Verdict::kQemuOneGiBPageAccessedOnFault;
  return Verdict::kDisagree;
}

}  // namespace vmlab::testing
