// Test support: one Unicorn engine running real x86-64 page tables at CPL 3, so that QEMU's own
// page walker can be compared with mmu::walk on exactly the same tables.
//
// The harness owns RAM at emulator::kRamBase (the kernel image in its first frames), a PML4 whose
// slot 0 maps one user code page and whose slot 1 is the kernel's RAM window, and host memory
// behind every target range the test declares. Tests build whatever entries they like in the
// other PML4 slots, then run() one read, write or instruction fetch of a target address in user
// mode and get back what the CPU did: completed, or which exception with which CR2/error code.
//
// Unicorn 2.0.1 accesses data at PA == VA and looks for a memory region at the virtual address
// before it walks (DESIGN.md §2), so target ranges are host memory registered at their virtual
// addresses: a successful access has bytes to touch, and a failing one reaches the walker
// instead of the "unmapped" hook.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "emulator/kernel_image.h"
#include "mmu/address.h"
#include "mmu/paging.h"
#include "mmu/physical_memory.h"
#include "mmu/pte.h"
#include "mmu/walker.h"

struct uc_struct;
struct uc_context;

namespace vmlab::testing {

// Virtual addresses a test may access; the harness backs them with host memory.
struct VaRange {
  uint64_t start = 0;
  uint64_t bytes = 0;
};

enum class NoExecute : uint8_t { kOff, kOn };

struct AccessOutcome {
  enum class Kind : uint8_t {
    kCompleted,       // the access finished and the CPU reached the `hlt` after it
    kPageFault,       // #PF: cr2 and error_code are valid
    kOtherException,  // any other vector (vector, rip, error_code valid)
    kUnmapped,        // Unicorn found no memory region at cr2 (a harness or test bug)
  };
  Kind kind = Kind::kCompleted;
  uint32_t vector = 0;
  uint64_t rip = 0;
  uint64_t cr2 = 0;
  uint32_t error_code = 0;

  std::string describe() const;
};

class PagingHarness {
 public:
  // The user code page (PML4 slot 0) and the RAM window (slot 1) belong to the harness.
  static constexpr uint64_t kCodeVa = 0x40'0000;
  static constexpr uint64_t kRamBytes = 64 * mmu::kPageBytes;
  static bool is_target_slot(uint64_t pml4_index);

  // Throws std::runtime_error when Unicorn refuses the setup, std::invalid_argument when a target
  // range is unaligned or overlaps the harness's slots.
  PagingHarness(NoExecute no_execute, const std::vector<VaRange>& targets);
  ~PagingHarness();
  PagingHarness(const PagingHarness&) = delete;
  PagingHarness& operator=(const PagingHarness&) = delete;

  mmu::PhysicalMemory& memory() { return memory_; }
  mmu::PhysAddr root() const { return root_; }
  // The control registers of this CPU, as the model sees them. QEMU's CPU model has MAXPHYADDR 40
  // and lacks CPUID Page1GB.
  mmu::PagingControl control() const;
  // A zeroed RAM frame for the test's own tables. Throws std::length_error when RAM is used up.
  mmu::PhysAddr allocate_frame();

  // Runs `access` of the 8 bytes at `va` (8-byte aligned, inside a target range) at CPL 3, after
  // invalidating every translation QEMU may have cached. A fetch jumps to `va`, where the harness
  // plants a `hlt` so that a successful fetch ends in #GP like a successful read or write does.
  AccessOutcome run(mmu::Access access, mmu::VirtAddr va);

 private:
  struct HostRange {
    VaRange range;
    uint8_t* host = nullptr;
  };

  void set_up(const std::vector<VaRange>& targets);
  void release();
  void clear_kernel_no_execute();
  void install_code_page();
  void map_target(const VaRange& range);
  uint8_t* host(uint64_t va) const;
  void start_engine();
  void flush_tlb();
  void enter_user(uint64_t rip, uint64_t target);

  static void on_interrupt(uc_struct* uc, uint32_t intno, void* self);
  static bool on_unmapped(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                          void* self);

  mmu::PhysicalMemory memory_;
  emulator::KernelImage image_;
  mmu::PhysAddr next_frame_;
  mmu::PhysAddr root_;
  NoExecute no_execute_ = NoExecute::kOn;
  uint8_t* code_host_ = nullptr;
  std::vector<HostRange> targets_;
  uc_struct* uc_ = nullptr;
  uc_context* ring0_ = nullptr;
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

// How the CPU's result relates to the model's. QEMU 5.0's walker, inside Unicorn 2.0.1, departs
// from the SDM for PS=1 in a PDPTE: it maps a 1 GiB page although CPUID.80000001H:EDX.Page1GB is
// 0 (the SDM makes the bit reserved), and it sets A in such a PDPTE before checking the leaf, so
// a faulting access leaves A set. Those cases are judged against the model with 1 GiB pages on.
enum class Verdict : uint8_t {
  kAgree,                          // same fault/no fault, CR2, error code and entries
  kQemuOneGiBPage,                 // agrees with the model once 1 GiB pages are enabled
  kQemuOneGiBPageAccessedOnFault,  // ... except for A in the faulting 1 GiB leaf
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
  WalkerOracle(NoExecute no_execute, const std::vector<VaRange>& targets);

  const TargetPath& path() const { return path_; }
  mmu::PagingControl control() const { return harness_.control(); }

  // Writes `entries` on the path of `va`, walks them in the model, performs the access on the
  // CPU, clears the path again and compares.
  Comparison compare(mmu::VirtAddr va, mmu::Access access, const PathEntries& entries);

 private:
  mmu::WalkResult model_walk(const mmu::PagingControl& control, mmu::VirtAddr va,
                             mmu::Access access, const PathEntries& before, PathEntries& after);
  Verdict judge(const Comparison& c);

  PagingHarness harness_;
  mmu::PhysicalMemory model_memory_;
  TargetPath path_;
};

}  // namespace vmlab::testing
