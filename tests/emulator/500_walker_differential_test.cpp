// The model's page walker against QEMU's own x86 walker (inside Unicorn 2.1.1), on the same
// tables, at CPL 3: random tables and accesses (510 has hand-written cases with known answers).
//
// Each case writes the four entries on the target's path, lets mmu::walk translate on a copy of
// the tables, then lets the CPU perform the access and compares: fault or not, CR2, error code,
// the physical address a completed access reached (when it lies outside RAM, Unicorn names it),
// and every entry on the path afterwards (the Accessed and Dirty bits each side wrote).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "mmu/format.h"
#include "tests/emulator/paging_harness.h"

namespace vmlab::testing {
namespace {

using mmu::Access;
using mmu::Pte;
using mmu::VirtAddr;

// The issue asks for at least 100,000 cases. They take well under a second in a Release build.
constexpr int kCases = 120'000;
static_assert(kCases >= 100'000);
constexpr uint64_t kSeed = 0x5eed'0500'2024'0001;
constexpr int kDisagreementsShown = 5;

// Table indices the random targets use at each upper level: both ends of every table, the first
// slot of the upper half (VA 0xffff8000'00000000), and arbitrary middles. The page-table index
// and the page offset are fully random.
constexpr std::array<uint64_t, 4> kPml4Indices = {2, 0xaa, 0x100, 0x1ff};
constexpr std::array<uint64_t, 3> kPdptIndices = {0, 0x155, 0x1ff};
constexpr std::array<uint64_t, 3> kPdIndices = {0, 0xaa, 0x1ff};

// Percent chances of each bit in a random entry.
struct BitOdds {
  int present = 92, writable = 75, user = 85, accessed = 50, dirty = 50, no_execute = 15;
  int global = 10, cache_bits = 10, software = 10;
  int reserved_address_bit = 3;  // one address bit at or above MAXPHYADDR
  int misaligned_large_frame = 10, large_page_pat = 50;
  int target_frame = 15;                                // a 4 KiB leaf maps the frame in RAM
  int page_size[mmu::kLevels + 1] = {0, 50, 35, 6, 3};  // by level: PAT, 2M, 1G, reserved
  int no_execute_enabled = 85;                          // EFER.NXE=1 in most cases
};
constexpr BitOdds kOdds;

// Deterministic on every standard library (std:: distributions are not).
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  uint64_t below(uint64_t n) { return engine_() % n; }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
  uint64_t bit_if(int percent, uint64_t bit) { return chance(percent) ? bit : 0; }
  uint64_t bits(uint64_t mask) { return engine_() & mask; }
  template <typename Array>
  auto pick(const Array& a) {
    return a[below(a.size())];
  }

 private:
  std::mt19937_64 engine_;
};

VirtAddr make_va(uint64_t pml4, uint64_t pdpt, uint64_t pd, uint64_t pt, uint64_t offset) {
  const uint64_t raw =
      pml4 << mmu::level_shift(mmu::Level::kPml4) | pdpt << mmu::level_shift(mmu::Level::kPdpt) |
      pd << mmu::level_shift(mmu::Level::kPd) | pt << mmu::level_shift(mmu::Level::kPt) | offset;
  // Sign-extend bit 47 into a canonical address.
  constexpr unsigned kUnused = 64 - mmu::kLinearAddressBits;
  return VirtAddr{static_cast<uint64_t>(static_cast<int64_t>(raw << kUnused) >> kUnused)};
}

VirtAddr random_va(Random& rng) {
  const uint64_t offset = rng.below(mmu::kPageBytes / sizeof(uint64_t)) * sizeof(uint64_t);
  return make_va(rng.pick(kPml4Indices), rng.pick(kPdptIndices), rng.pick(kPdIndices),
                 rng.below(Pte::kEntriesPerTable), offset);
}

// A random frame address for a leaf of `size`, below MAXPHYADDR. Some 4 KiB leaves map the
// oracle's target frame, so that accesses complete in RAM; every other frame lies outside RAM
// (the harness's tables must not be written), where a completed access shows up with its PA.
uint64_t random_frame(Random& rng, const WalkerOracle& oracle, mmu::PageSize size) {
  if (size == mmu::PageSize::k4K && rng.chance(kOdds.target_frame))
    return oracle.target_frame().value;
  const uint64_t frames = uint64_t{1}
                          << (oracle.control().physical_address_bits - mmu::page_shift(size));
  uint64_t frame = 0;
  while (frame < PagingHarness::kRamBytes)
    frame = rng.below(frames) << mmu::page_shift(size);
  if (size != mmu::PageSize::k4K) {
    frame |= rng.bit_if(kOdds.large_page_pat, Pte::kLargePagePat);
    if (rng.chance(kOdds.misaligned_large_frame)) {
      const unsigned first = mmu::kPageShift + 1;  // just above the PAT bit
      frame |= uint64_t{1} << (first + rng.below(mmu::page_shift(size) - first));
    }
  }
  return frame;
}

uint64_t random_flags(Random& rng, mmu::Level level) {
  const auto& o = kOdds;
  uint64_t e = rng.bit_if(o.present, Pte::kPresent) | rng.bit_if(o.writable, Pte::kWritable) |
               rng.bit_if(o.user, Pte::kUser) | rng.bit_if(o.accessed, Pte::kAccessed) |
               rng.bit_if(o.dirty, Pte::kDirty) | rng.bit_if(o.no_execute, Pte::kNoExecute) |
               rng.bit_if(o.global, Pte::kGlobal) | rng.bit_if(o.cache_bits, Pte::kWriteThrough) |
               rng.bit_if(o.cache_bits, Pte::kCacheDisable) |
               rng.bit_if(o.page_size[static_cast<int>(level)], Pte::kPageSize);
  if (rng.chance(o.software)) e |= rng.bits(Pte::kSoftwareHighMask | Pte::kSoftwareLowMask);
  return e;
}

// The four entries of one random case. Entries that reference a table point at the next table
// of `path`; a leaf (any PT entry, PS in a PD or PDPT entry) gets a random frame.
PathEntries random_entries(Random& rng, const WalkerOracle& oracle) {
  const TargetPath& path = oracle.path();
  const mmu::PagingControl control = oracle.control();
  PathEntries entries{};
  for (int step = 0; step < mmu::kLevels; ++step) {
    const mmu::Level level = TargetPath::level_of(step);
    uint64_t e = random_flags(rng, level);
    const bool large =
        (level == mmu::Level::kPdpt || level == mmu::Level::kPd) && (e & Pte::kPageSize) != 0;
    if (level == mmu::Level::kPt || large)
      e |= random_frame(rng, oracle, mmu::leaf_page_size(level));
    else
      e |= path.table(step + 1).value;
    if (rng.chance(kOdds.reserved_address_bit)) {
      const unsigned bits = Pte::kAddressHigh + 1 - control.physical_address_bits;
      e |= uint64_t{1} << (control.physical_address_bits + rng.below(bits));
    }
    entries[step] = e;
  }
  return entries;
}

Access random_access(Random& rng) {
  return static_cast<Access>(rng.below(mmu::kAccessKinds));
}

// How many random cases ended each way, by access kind, per the model, and where the CPU's
// completed accesses went: the mix must cover every outcome or the comparison proves little.
struct Coverage {
  enum Outcome { kCompleted, kNotPresent, kProtection, kReserved, kOutcomes };
  std::array<std::array<int, kOutcomes>, mmu::kAccessKinds> counts{};
  std::array<int, mmu::kPageSizeCount> completed_by_size{};
  int completed_in_ram = 0, completed_outside_ram = 0;
  int no_execute_disabled = 0;

  void add(Access access, const Comparison& c) {
    const mmu::WalkResult& w = c.model;
    const uint32_t code = w.fault.error_code;
    const Outcome o = !w.faulted                               ? kCompleted
                      : (code & mmu::pf_error::kReserved) != 0 ? kReserved
                      : (code & mmu::pf_error::kPresent) != 0  ? kProtection
                                                               : kNotPresent;
    ++counts[static_cast<int>(access)][o];
    if (!w.faulted) ++completed_by_size[static_cast<int>(w.size)];
    if (c.cpu.kind == AccessOutcome::Kind::kCompleted) ++completed_in_ram;
    if (c.cpu.kind == AccessOutcome::Kind::kUnmapped) ++completed_outside_ram;
  }
  void print() const {
    std::printf("%-6s %10s %12s %11s %9s\n", "", "completed", "not-present", "protection",
                "reserved");
    for (int a = 0; a < mmu::kAccessKinds; ++a)
      std::printf("%-6s %10d %12d %11d %9d\n",
                  std::string(mmu::access_name(static_cast<Access>(a))).c_str(), counts[a][0],
                  counts[a][1], counts[a][2], counts[a][3]);
    std::printf(
        "completed on 4K/2M/1G leaves: %d/%d/%d; on the CPU in RAM/outside RAM: %d/%d; "
        "EFER.NXE=0 cases: %d\n",
        completed_by_size[0], completed_by_size[1], completed_by_size[2], completed_in_ram,
        completed_outside_ram, no_execute_disabled);
  }
};

struct Tally {
  int cases = 0, agreements = 0, disagreements = 0;
  int one_gib_accessed_on_fault = 0;
};

void run_random_cases(WalkerOracle& oracle, Random& rng, int cases, Tally& tally,
                      Coverage& coverage) {
  for (int i = 0; i < cases; ++i) {
    const VirtAddr va = random_va(rng);
    const Access access = random_access(rng);
    const auto entries = random_entries(rng, oracle);
    const Comparison c = oracle.compare(va, access, entries);
    coverage.add(access, c);
    ++tally.cases;
    if (c.verdict == Verdict::kAgree) ++tally.agreements;
    if (c.verdict == Verdict::kQemuAccessedInFaultingOneGiBLeaf) ++tally.one_gib_accessed_on_fault;
    if (c.verdict != Verdict::kDisagree) continue;
    if (tally.disagreements++ < kDisagreementsShown)
      ADD_FAILURE() << "case " << tally.cases << ":\n" << c.describe();
  }
}

TEST(WalkerDifferential, RandomTablesAgreeWithQemu) {
  const CpuFacts& cpu = cpu_facts();
  std::printf("CPU model %d: NX %d, Page1GB %d, MAXPHYADDR %d; error code at context offset %zu\n",
              cpu.model, cpu.no_execute, cpu.one_gib_pages, cpu.physical_address_bits,
              cpu.error_code_offset);
  Random rng(kSeed);
  WalkerOracle with_nx(NoExecute::kOn);
  WalkerOracle without_nx(NoExecute::kOff);
  Tally tally;
  Coverage coverage;
  // Interleave the two CPUs in short runs so both see every kind of table the generator makes.
  constexpr int kBatch = 100;
  for (int done = 0; done < kCases; done += kBatch) {
    const bool nx = rng.chance(kOdds.no_execute_enabled);
    if (!nx) coverage.no_execute_disabled += kBatch;
    run_random_cases(nx ? with_nx : without_nx, rng, kBatch, tally, coverage);
  }
  coverage.print();
  std::printf(
      "%d cases: %d agree; %d more agree but for A in the faulting 1 GiB leaf (QEMU's "
      "departure); %d disagree\n",
      tally.cases, tally.agreements, tally.one_gib_accessed_on_fault, tally.disagreements);

  EXPECT_EQ(tally.disagreements, 0);
  for (int a = 0; a < mmu::kAccessKinds; ++a)
    for (int o = 0; o < Coverage::kOutcomes; ++o)
      EXPECT_GT(coverage.counts[a][o], kCases / 200) << "access " << a << " outcome " << o;
  EXPECT_GT(coverage.completed_by_size[static_cast<int>(mmu::PageSize::k2M)], kCases / 100);
  EXPECT_GT(coverage.completed_by_size[static_cast<int>(mmu::PageSize::k1G)], kCases / 200);
  EXPECT_GT(coverage.completed_in_ram, kCases / 100);
  EXPECT_GT(coverage.completed_outside_ram, kCases / 100);
  // QEMU's departure shows up in its verdict, and only there.
  EXPECT_GT(tally.one_gib_accessed_on_fault, kCases / 200);
  EXPECT_GT(coverage.no_execute_disabled, kCases / 20);
}

}  // namespace
}  // namespace vmlab::testing
