// The model's page walker against QEMU's own x86 walker (inside Unicorn 2.0.1), on the same
// tables, at CPL 3: random tables and accesses, plus hand-written cases with known answers.
//
// Each case writes the four entries on the target's path, lets mmu::walk translate on a copy of
// the tables, then lets the CPU perform the access and compares: fault or not, CR2, error code,
// and every entry on the path afterwards (the Accessed and Dirty bits each side wrote).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "mmu/format.h"
#include "tests/emulator/paging_harness.h"

namespace vmlab::testing {
namespace {

using mmu::Access;
using mmu::Pte;
using mmu::VirtAddr;

// The issue asks for at least 100,000 cases. They take ~2 s, with or without ASan and UBSan.
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

// One 2 MiB block of host memory per combination of upper indices: every target lies in one.
std::vector<VaRange> target_ranges() {
  std::vector<VaRange> ranges;
  for (uint64_t pml4 : kPml4Indices)
    for (uint64_t pdpt : kPdptIndices)
      for (uint64_t pd : kPdIndices)
        ranges.push_back(
            {make_va(pml4, pdpt, pd, 0, 0).value, mmu::page_bytes(mmu::PageSize::k2M)});
  return ranges;
}

VirtAddr random_va(Random& rng) {
  const uint64_t offset = rng.below(mmu::kPageBytes / sizeof(uint64_t)) * sizeof(uint64_t);
  return make_va(rng.pick(kPml4Indices), rng.pick(kPdptIndices), rng.pick(kPdIndices),
                 rng.below(Pte::kEntriesPerTable), offset);
}

// A random frame address for a leaf of `size`, below MAXPHYADDR (Unicorn 2.0.1 ignores it and
// accesses the data at PA == VA, so any value will do).
uint64_t random_frame(Random& rng, mmu::PageSize size, uint8_t physical_bits) {
  const uint64_t frames = uint64_t{1} << (physical_bits - mmu::page_shift(size));
  uint64_t frame = rng.below(frames) << mmu::page_shift(size);
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
PathEntries random_entries(Random& rng, const TargetPath& path, const mmu::PagingControl& control) {
  PathEntries entries{};
  for (int step = 0; step < mmu::kLevels; ++step) {
    const mmu::Level level = TargetPath::level_of(step);
    uint64_t e = random_flags(rng, level);
    const bool large =
        (level == mmu::Level::kPdpt || level == mmu::Level::kPd) && (e & Pte::kPageSize) != 0;
    if (level == mmu::Level::kPt || large)
      e |= random_frame(rng, mmu::leaf_page_size(level), control.physical_address_bits);
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

// How many random cases ended each way, by access kind, per the model: the mix must cover
// every outcome or the comparison proves little.
struct Coverage {
  enum Outcome { kCompleted, kNotPresent, kProtection, kReserved, kOutcomes };
  std::array<std::array<int, kOutcomes>, mmu::kAccessKinds> counts{};
  std::array<int, mmu::kPageSizeCount> completed_by_size{};
  int no_execute_disabled = 0;

  void add(Access access, const mmu::WalkResult& w) {
    const uint32_t code = w.fault.error_code;
    const Outcome o = !w.faulted                               ? kCompleted
                      : (code & mmu::pf_error::kReserved) != 0 ? kReserved
                      : (code & mmu::pf_error::kPresent) != 0  ? kProtection
                                                               : kNotPresent;
    ++counts[static_cast<int>(access)][o];
    if (!w.faulted) ++completed_by_size[static_cast<int>(w.size)];
  }
  void print() const {
    std::printf("%-6s %10s %12s %11s %9s\n", "", "completed", "not-present", "protection",
                "reserved");
    for (int a = 0; a < mmu::kAccessKinds; ++a)
      std::printf("%-6s %10d %12d %11d %9d\n",
                  std::string(mmu::access_name(static_cast<Access>(a))).c_str(), counts[a][0],
                  counts[a][1], counts[a][2], counts[a][3]);
    std::printf("completed on 4K/2M/1G leaves: %d/%d/%d; EFER.NXE=0 cases: %d\n",
                completed_by_size[0], completed_by_size[1], completed_by_size[2],
                no_execute_disabled);
  }
};

struct Tally {
  int cases = 0, agreements = 0, disagreements = 0;
  int one_gib_pages = 0, one_gib_accessed_on_fault = 0;
};

void run_random_cases(WalkerOracle& oracle, Random& rng, int cases, Tally& tally,
                      Coverage& coverage) {
  for (int i = 0; i < cases; ++i) {
    const VirtAddr va = random_va(rng);
    const Access access = random_access(rng);
    const auto entries = random_entries(rng, oracle.path(), oracle.control());
    const Comparison c = oracle.compare(va, access, entries);
    coverage.add(access, c.model);
    ++tally.cases;
    if (c.verdict == Verdict::kAgree) ++tally.agreements;
    if (c.verdict == Verdict::kQemuOneGiBPage) ++tally.one_gib_pages;
    if (c.verdict == Verdict::kQemuOneGiBPageAccessedOnFault) ++tally.one_gib_accessed_on_fault;
    if (c.verdict != Verdict::kDisagree) continue;
    if (tally.disagreements++ < kDisagreementsShown)
      ADD_FAILURE() << "case " << tally.cases << ":\n" << c.describe();
  }
}

TEST(WalkerDifferential, RandomTablesAgreeWithQemu) {
  Random rng(kSeed);
  WalkerOracle with_nx(NoExecute::kOn, target_ranges());
  WalkerOracle without_nx(NoExecute::kOff, target_ranges());
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
      "%d cases: %d agree; %d agree once 1 GiB pages are on, %d more of them but for A in the "
      "faulting 1 GiB leaf (QEMU deviations); %d disagree\n",
      tally.cases, tally.agreements, tally.one_gib_pages, tally.one_gib_accessed_on_fault,
      tally.disagreements);

  EXPECT_EQ(tally.disagreements, 0);
  for (int a = 0; a < mmu::kAccessKinds; ++a)
    for (int o = 0; o < Coverage::kOutcomes; ++o)
      EXPECT_GT(coverage.counts[a][o], kCases / 200) << "access " << a << " outcome " << o;
  EXPECT_GT(coverage.completed_by_size[static_cast<int>(mmu::PageSize::k2M)], kCases / 100);
  // The model counts PS in a PDPTE as reserved; QEMU's 1 GiB pages show up in the verdicts.
  EXPECT_GT(tally.one_gib_pages, kCases / 200);
  EXPECT_GT(tally.one_gib_accessed_on_fault, kCases / 200);
  EXPECT_GT(coverage.no_execute_disabled, kCases / 20);
}

// ---------------------------------------------------------------------------------------------
// Hand-written cases. Their answers come from the SDM (§4.6 rights, §4.7 error codes, §4.8 A/D),
// so the CPU and the model are each checked against them, not only against each other.

constexpr uint64_t kTable = Pte::kPresent | Pte::kWritable | Pte::kUser;
constexpr uint64_t kUserReadOnly = Pte::kPresent | Pte::kUser;
constexpr uint64_t kUserWritable = kUserReadOnly | Pte::kWritable;
constexpr uint64_t kSupervisorWritable = Pte::kPresent | Pte::kWritable;
constexpr uint64_t kLarge = Pte::kPageSize;
constexpr uint64_t kFrame4K = 0x12'3456'7000;
constexpr uint64_t kFrame2M = 0x12'3440'0000;
constexpr uint64_t kFrame1G = 0x40'0000'0000;
constexpr uint64_t kAboveMaxPhyAddr = uint64_t{1} << 40;  // MAXPHYADDR = 40
constexpr uint64_t kMisalignedLargeFrame = Pte::kLargePagePat << 1;

constexpr uint32_t kUserBit = mmu::pf_error::kUser;
constexpr uint32_t kWriteBit = mmu::pf_error::kWrite;
constexpr uint32_t kFetchBit = mmu::pf_error::kInstruction;
constexpr uint32_t kProtection = mmu::pf_error::kPresent | mmu::pf_error::kUser;
constexpr uint32_t kReservedBit = kProtection | mmu::pf_error::kReserved;

// Walk steps as a bit set: step 0 is the PML4E, step 3 the PTE.
constexpr uint8_t kNone = 0, kPml4e = 1, kPdpte = 2, kPde = 4, kPte = 8;
constexpr uint8_t kFirstThree = kPml4e | kPdpte | kPde, kAllFour = kFirstThree | kPte;

constexpr PathEntries levels(uint64_t pml4e, uint64_t pdpte, uint64_t pde, uint64_t pte) {
  return {pml4e, pdpte, pde, pte};
}

struct KnownCase {
  const char* name;
  Access access;
  PathEntries bits;  // entries without table addresses: the test links each table to the next
  std::optional<uint32_t> error_code;  // none: the access completes
  uint8_t accessed;                    // steps that gain A
  uint8_t dirty;                       // steps that gain D
  NoExecute no_execute = NoExecute::kOn;
};

const KnownCase kKnownCases[] = {
    {"WriteToReadOnlyPageLeavesItClean", Access::kWrite,
     levels(kTable, kTable, kTable, kUserReadOnly | kFrame4K), kProtection | kWriteBit, kFirstThree,
     kNone},
    {"WriteMarksLeafDirtyTablesOnlyAccessed", Access::kWrite,
     levels(kTable, kTable, kTable, kUserWritable | kFrame4K), std::nullopt, kAllFour, kPte},
    {"ReadOnlyPdpteOverridesWritableLeaf", Access::kWrite,
     levels(kTable, kUserReadOnly, kTable, kUserWritable), kProtection | kWriteBit, kFirstThree,
     kNone},
    {"SupervisorPdeHidesUserPage", Access::kRead,
     levels(kTable, kTable, kSupervisorWritable, kUserWritable), kProtection, kFirstThree, kNone},
    {"FetchFromExecuteDisabledPage", Access::kFetch,
     levels(kTable, kTable, kTable, kUserReadOnly | Pte::kNoExecute), kProtection | kFetchBit,
     kFirstThree, kNone},
    {"ReadOfExecuteDisabledPage", Access::kRead,
     levels(kTable, kTable, kTable, kUserReadOnly | Pte::kNoExecute), std::nullopt, kAllFour,
     kNone},
    {"NotPresentFetchWithNxeReportsFetch", Access::kFetch,
     levels(kTable, kTable, kUserWritable & ~Pte::kPresent, 0), kUserBit | kFetchBit,
     kPml4e | kPdpte, kNone},
    {"NotPresentFetchWithoutNxeLooksLikeRead", Access::kFetch,
     levels(kTable, kTable, kUserWritable & ~Pte::kPresent, 0), kUserBit, kPml4e | kPdpte, kNone,
     NoExecute::kOff},
    {"ExecuteDisableIsReservedWithoutNxe", Access::kRead,
     levels(kTable, kTable, kTable, kUserWritable | Pte::kNoExecute), kReservedBit, kFirstThree,
     kNone, NoExecute::kOff},
    {"AddressAboveMaxPhyAddrIsReserved", Access::kRead,
     levels(kTable, kTable | kAboveMaxPhyAddr, kTable, kUserWritable), kReservedBit, kPml4e, kNone},
    {"PageSizeInPml4eIsReserved", Access::kRead,
     levels(kTable | kLarge, kTable, kTable, kUserWritable), kReservedBit, kNone, kNone},
    {"TwoMiBWriteDirtiesThePde", Access::kWrite,
     levels(kTable, kTable, kUserWritable | kLarge | kFrame2M | Pte::kLargePagePat, 0),
     std::nullopt, kFirstThree, kPde},
    {"MisalignedTwoMiBFrameIsReserved", Access::kRead,
     levels(kTable, kTable, kUserWritable | kLarge | kFrame2M | kMisalignedLargeFrame, 0),
     kReservedBit, kPml4e | kPdpte, kNone},
};

constexpr VirtAddr kKnownVa{0x0000'557f'ffe0'7ab8};  // PML4 0xaa, PDPT 0x1ff, PD 0x1ff, PT 7

std::vector<VaRange> known_ranges() {
  return {{kKnownVa.page_base(mmu::PageSize::k2M).value, mmu::page_bytes(mmu::PageSize::k2M)}};
}

// Adds the next table's address to every entry that references one.
PathEntries link(const TargetPath& path, PathEntries bits) {
  for (int step = 0; step + 1 < mmu::kLevels; ++step)
    if ((bits[step] & Pte::kPageSize) == 0) bits[step] |= path.table(step + 1).value;
  return bits;
}

PathEntries with_bits(PathEntries e, uint8_t steps, uint64_t bits) {
  for (int step = 0; step < mmu::kLevels; ++step)
    if ((steps & (1u << step)) != 0) e[step] |= bits;
  return e;
}

std::string hex_entries(const PathEntries& e) {
  std::string out;
  for (uint64_t v : e)
    out += mmu::hex(v) + " ";
  return out;
}

void expect_known(const Comparison& c, std::optional<uint32_t> error_code,
                  const PathEntries& after) {
  SCOPED_TRACE(c.describe());
  if (error_code) {
    EXPECT_EQ(c.cpu.kind, AccessOutcome::Kind::kPageFault);
    EXPECT_EQ(c.cpu.cr2, c.va.value);
    EXPECT_EQ(c.cpu.error_code, *error_code);
    ASSERT_TRUE(c.model.faulted);
    EXPECT_EQ(c.model.fault.address, c.va);
    EXPECT_EQ(c.model.fault.error_code, *error_code);
  } else {
    EXPECT_EQ(c.cpu.kind, AccessOutcome::Kind::kCompleted);
    EXPECT_FALSE(c.model.faulted);
  }
  EXPECT_EQ(hex_entries(c.cpu_after), hex_entries(after));
  EXPECT_EQ(hex_entries(c.model_after), hex_entries(after));
  EXPECT_EQ(c.verdict, Verdict::kAgree);
}

// Names the case in test output instead of dumping its bytes.
void PrintTo(const KnownCase& k, std::ostream* os) {
  *os << k.name;
}

class KnownCaseTest : public ::testing::TestWithParam<KnownCase> {};

TEST_P(KnownCaseTest, CpuAndModelGiveTheSdmAnswer) {
  const KnownCase& k = GetParam();
  WalkerOracle oracle(k.no_execute, known_ranges());
  const PathEntries entries = link(oracle.path(), k.bits);
  const PathEntries after =
      with_bits(with_bits(entries, k.accessed, Pte::kAccessed), k.dirty, Pte::kDirty);
  expect_known(oracle.compare(kKnownVa, k.access, entries), k.error_code, after);
}

INSTANTIATE_TEST_SUITE_P(Sdm, KnownCaseTest, ::testing::ValuesIn(kKnownCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(KnownCases, ChangedEntriesAreNotHiddenByStaleTranslations) {
  // The same page mapped, then unmapped: a translation QEMU kept from the first access would
  // let the second one complete.
  WalkerOracle oracle(NoExecute::kOn, known_ranges());
  const PathEntries mapped = link(oracle.path(), {kTable, kTable, kTable, kUserWritable});
  expect_known(oracle.compare(kKnownVa, Access::kWrite, mapped), std::nullopt,
               with_bits(with_bits(mapped, kAllFour, Pte::kAccessed), kPte, Pte::kDirty));
  const PathEntries unmapped = link(oracle.path(), {kTable, kTable, kTable, 0});
  expect_known(oracle.compare(kKnownVa, Access::kWrite, unmapped), kUserBit | kWriteBit,
               with_bits(unmapped, kFirstThree, Pte::kAccessed));
}

// The two ways QEMU's walker departs from the SDM, pinned so that a Unicorn that fixes them
// shows up here (and the differential test can then drop its 1 GiB verdicts).
TEST(KnownCases, QemuMapsOneGiBPagesAlthoughCpuidLacksPage1GB) {
  WalkerOracle oracle(NoExecute::kOn, known_ranges());
  ASSERT_FALSE(oracle.control().large_1g_pages);
  const PathEntries e = link(oracle.path(), {kTable, kUserWritable | kLarge | kFrame1G, 0, 0});
  const Comparison c = oracle.compare(kKnownVa, Access::kRead, e);
  EXPECT_EQ(c.cpu.kind, AccessOutcome::Kind::kCompleted) << c.describe();
  EXPECT_EQ(c.model.fault.error_code, kReservedBit) << c.describe();
  EXPECT_EQ(c.verdict, Verdict::kQemuOneGiBPage) << c.describe();
}

TEST(KnownCases, QemuSetsAccessedInAFaultingOneGiBLeaf) {
  WalkerOracle oracle(NoExecute::kOn, known_ranges());
  const PathEntries e = link(oracle.path(), {kTable, kUserReadOnly | kLarge | kFrame1G, 0, 0});
  const Comparison c = oracle.compare(kKnownVa, Access::kWrite, e);
  EXPECT_EQ(c.cpu.kind, AccessOutcome::Kind::kPageFault) << c.describe();
  EXPECT_EQ(c.cpu.error_code, kProtection | kWriteBit) << c.describe();
  EXPECT_EQ(hex_entries(c.cpu_after), hex_entries(with_bits(e, kPml4e | kPdpte, Pte::kAccessed)));
  EXPECT_EQ(c.verdict, Verdict::kQemuOneGiBPageAccessedOnFault) << c.describe();
}

}  // namespace
}  // namespace vmlab::testing
