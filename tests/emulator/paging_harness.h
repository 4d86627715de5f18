// Test support: one Unicorn 2.1.1 engine running real x86-64 page tables at CPL 3, in its default
// UC_TLB_CPU mode, so that QEMU's own page walker can be compared with mmu::walk on exactly the
// same tables.
//
// The harness owns a small RAM at physical address 0, mapped into Unicorn once at that address:
// QEMU's walker reads the paging structures there, and the access itself goes to the physical
// address the walk produced. RAM holds the kernel image (GDT, iretq stub, ring-0 stack) and the
// harness's own tables: a PML4 whose slot 0 maps one user code page at kCodeVa and whose slot of
// emulator::kDirectMapBase (273) maps the kernel image supervisor-only at its direct-map
// addresses (kDirectMapBase + PA), where the ring-0 stub runs and the GDTR points. Tests build
// whatever entries they like in the other PML4 slots, then run() one read, write or instruction
// fetch at CPL 3 and get back what the CPU did: completed in RAM, reached a physical address
// outside RAM (Unicorn's unmapped-memory hook names it), or took which exception with which
// CR2 and error code.
//
// What Unicorn does not expose (CPUID, the saved exception error code) comes from cpu_facts().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "emulator/kernel_image.h"
#include "mmu/address.h"
#include "mmu/paging.h"
#include "mmu/physical_memory.h"
#include "mmu/pte.h"
#include "mmu/walker.h"
#include "tests/emulator/cpu_facts.h"

struct uc_struct;
struct uc_context;

namespace vmlab::testing {

enum class NoExecute : uint8_t { kOff, kOn };

struct AccessOutcome {
  enum class Kind : uint8_t {
    kCompleted,       // the access finished in RAM and the CPU reached the `hlt` after it
    kPageFault,       // #PF: cr2 and error_code are valid
    kOtherException,  // any other vector (vector, rip, error_code valid)
    kUnmapped,        // translation succeeded, but `physical` is outside RAM (no Unicorn region)
  };
  Kind kind = Kind::kCompleted;
  uint32_t vector = 0;
  uint64_t rip = 0;
  uint64_t cr2 = 0;
  uint32_t error_code = 0;
  uint64_t physical = 0;  // kUnmapped: the physical address the access went to

  std::string describe() const;
};

class PagingHarness {
 public:
  // The user code page (PML4 slot 0) and the kernel's direct map (slot 273) belong to the harness.
  static constexpr uint64_t kCodeVa = 0x40'0000;
  static constexpr uint64_t kRamBytes = 64 * mmu::kPageBytes;
  static bool is_target_slot(uint64_t pml4_index);

  // Throws std::runtime_error when Unicorn refuses the setup or EFER does not take the value.
  explicit PagingHarness(NoExecute no_execute);
  ~PagingHarness();
  PagingHarness(const PagingHarness&) = delete;
  PagingHarness& operator=(const PagingHarness&) = delete;

  mmu::PhysicalMemory& memory() { return memory_; }
  mmu::PhysAddr root() const { return root_; }
  // The control registers of this CPU, as the model sees them: CR0.WP=1, EFER.NXE as asked,
  // 1 GiB pages and MAXPHYADDR as CPUID reports them (cpu_facts()).
  mmu::PagingControl control() const;
  // A zeroed RAM frame for the test's own tables. Throws std::length_error when RAM is used up.
  mmu::PhysAddr allocate_frame();
  // A RAM frame for a leaf to map when the access should complete in RAM: every byte is `hlt`,
  // so a fetch from it ends the run, and writes store `hlt` bytes, so it stays that way.
  mmu::PhysAddr allocate_target_frame();

  // Runs `access` of the 8 bytes at `va` (8-byte aligned, canonical, in a target slot) at CPL 3,
  // from a clean CPU state with QEMU's TLB flushed. Nothing but the test's entries decides where
  // the access goes.
  AccessOutcome run(mmu::Access access, mmu::VirtAddr va);

 private:
  void set_up();
  void release();
  void map_page(uint64_t va, mmu::PhysAddr frame, uint64_t table_flags, uint64_t leaf_flags);
  void install_code_page();
  void install_kernel_map();
  void start_engine();
  void enter_user(uint64_t rip, uint64_t target);

  static void on_interrupt(uc_struct* uc, uint32_t intno, void* self);
  static bool on_unmapped(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                          void* self);

  mmu::PhysicalMemory memory_;
  emulator::KernelImage image_;
  mmu::PhysAddr next_frame_;
  mmu::PhysAddr root_;
  NoExecute no_execute_ = NoExecute::kOn;
  uc_struct* uc_ = nullptr;
  uc_context* ring0_ = nullptr;  // saved before the first exception: no exception state
  uc_context* scratch_ = nullptr;
  AccessOutcome outcome_;
  bool stopped_ = false;
};

// The entries on a target's path, PML4E first (index = walk step).
using PathEntries = std::array<uint64_t, mmu::kLevels>;

// One table per level for the targets' paths, reused by every case: a case writes one entry in
// each and clears it afterwards.
class TargetPath {
 public:
  explicit TargetPath(PagingHarness& harness);
  static mmu::Level level_of(int step) { return static_cast<mmu::Level>(mmu::kLevels - step); }
  // The table read at `step`: the harness's PML4, then the test's PDPT, PD and PT.
  mmu::PhysAddr table(int step) const { return tables_[step]; }
  mmu::PhysAddr entry_address(int step, mmu::VirtAddr va) const {
    return tables_[step] + mmu::table_index(va, level_of(step)) * mmu::Pte::kBytes;
  }
  void write(mmu::PhysicalMemory& memory, mmu::VirtAddr va, const PathEntries& entries) const {
    for (int step = 0; step < mmu::kLevels; ++step)
      memory.write_u64(entry_address(step, va), entries[step]);
  }
  PathEntries read(const mmu::PhysicalMemory& memory, mmu::VirtAddr va) const {
    PathEntries entries{};
    for (int step = 0; step < mmu::kLevels; ++step)
      entries[step] = memory.read_u64(entry_address(step, va));
    return entries;
  }

 private:
  std::array<mmu::PhysAddr, mmu::kLevels> tables_;
};

// How the CPU's result relates to the model's. QEMU's walker (Unicorn 2.1.1) sets A in a present
// PDPTE before it looks at PS, so a 1 GiB leaf gains A even when the access then faults on its
// rights or on a reserved (misaligned) frame bit. 2 MiB and 4 KiB leaves gain A only once the
// access is allowed, which is what the model does for every leaf. The SDM (§4.8) does not say
// whether a leaf whose access faults gains A; QEMU is not even consistent with itself here, so
// that one difference gets a verdict of its own.
enum class Verdict : uint8_t {
  kAgree,                             // same outcome, CR2, error code, address and entries
  kQemuAccessedInFaultingOneGiBLeaf,  // agrees but for A in the faulting 1 GiB leaf
  kDisagree,
};

struct Comparison {
  mmu::VirtAddr va;
  mmu::Access access = mmu::Access::kRead;
  bool no_execute = false;
  PathEntries before{}, cpu_after{}, model_after{};
  AccessOutcome cpu;
  mmu::WalkResult model;    // mmu::walk under PagingHarness::control()
  std::string model_error;  // what mmu::walk threw, if it left RAM following an entry
  Verdict verdict = Verdict::kDisagree;

  // Everything needed to reproduce the case by hand: each entry before and after on both sides.
  std::string describe() const;
};

// A harness plus a second RAM where the model walks a copy of the same entries.
class WalkerOracle {
 public:
  explicit WalkerOracle(NoExecute no_execute);

  const TargetPath& path() const { return path_; }
  mmu::PagingControl control() const { return harness_.control(); }
  // A frame of `hlt` bytes in RAM (PagingHarness::allocate_target_frame) for leaves to map.
  mmu::PhysAddr target_frame() const { return target_frame_; }

  // Writes `entries` on the path of `va`, walks them in the model, performs the access on the
  // CPU, clears the path again and compares.
  Comparison compare(mmu::VirtAddr va, mmu::Access access, const PathEntries& entries);

 private:
  mmu::WalkResult model_walk(mmu::VirtAddr va, mmu::Access access, const PathEntries& before,
                             PathEntries& after);
  bool same_result(const Comparison& c);
  Verdict judge(const Comparison& c);

  PagingHarness harness_;
  mmu::PhysicalMemory model_memory_;
  TargetPath path_;
  mmu::PhysAddr target_frame_;
};

}  // namespace vmlab::testing
