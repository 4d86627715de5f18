// Repeated hits (Mmu::remember / repeat / settle) against plain translate(): the same accesses
// counted either way leave the same statistics and the same replacement state, whatever the
// policy, and anything else the MMU does ends a repetition.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mmu/mmu.h"
#include "tests/mmu/page_table_builder.h"

namespace vmlab::mmu::testing {
namespace {

constexpr uint64_t kLeafRw = Pte::kPresent | Pte::kWritable | Pte::kUser;
constexpr uint64_t kLeafRo = Pte::kPresent | Pte::kUser;
constexpr int kPages = 24;  // more than a 4-way set of the 64-entry L1 DTLB can hold

// One machine: RAM, page tables mapping kPages pages of one L1 set, an MMU.
struct Machine {
  explicit Machine(const MmuConfig& config)
      : memory(PhysAddr{0}, 8 << 20), tables(memory), mmu(memory, config) {
    PagingControl control;
    control.root = tables.root();
    mmu.set_control(control);
    for (uint64_t i = 0; i < kPages; ++i)
      tables.map(page(i), PhysAddr{0x40'0000 + i * kPageBytes}, i % 5 == 4 ? kLeafRo : kLeafRw);
  }
  // Pages 16 apart share the L1 set (16 sets).
  static VirtAddr page(uint64_t i) { return Vpn{0x100 + i * 16}.address(); }

  PhysicalMemory memory;
  PageTableBuilder tables;
  Mmu mmu;
};

struct Use {
  uint64_t page;
  Access access;
};

// A pattern with runs on one page, alternations between two pages (a row and a column: both
// stay remembered) and among more, writes to clean and read-only pages, and misses that evict
// from a full set.
std::vector<Use> pattern() {
  std::vector<Use> out;
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state;
  };
  auto access_of = [](uint64_t kind) {
    return kind == 0 ? Access::kWrite : kind < 3 ? Access::kFetch : Access::kRead;
  };
  for (int i = 0; i < 4000; ++i) {
    const uint64_t r = next();
    const uint64_t page = (r >> 33) % kPages;
    const Access access = access_of((r >> 20) & 7);
    const int run = 1 + static_cast<int>((r >> 40) % 6);
    for (int k = 0; k < run; ++k)
      out.push_back({page, access});
    if ((r >> 50) % 4 == 0) {  // then alternate with a second page for a while
      const uint64_t other = (r >> 10) % kPages;
      const Access other_access = access_of((r >> 56) & 7);
      for (int k = 0; k < 2 + static_cast<int>((r >> 44) % 9); ++k) {
        out.push_back({page, access});
        for (int m = 0; m < 1 + k % 3; ++m)
          out.push_back({other, other_access});
      }
    }
  }
  return out;
}

// The CPU's use of the mechanism (emulator/cpu.h): repeat either page, else translate and
// remember.
void run_repeating(Mmu& mmu, const std::vector<Use>& accesses) {
  for (const auto& a : accesses) {
    const VirtAddr va = Machine::page(a.page);
    const auto path = a.access == Access::kFetch ? Mmu::kFetchPath : Mmu::kDataPath;
    const bool repeated =
        path == Mmu::kFetchPath ? mmu.repeat_fetch(va.value) : mmu.repeat(path, va.value, a.access);
    if (repeated || mmu.repeat_other(path, va.value, a.access)) continue;
    const Translation t = mmu.translate(va, a.access, Mode::kUser);
    if (!t.faulted) mmu.remember(path, va.value, va);
  }
  mmu.settle();
}

void run_plain(Mmu& mmu, const std::vector<Use>& accesses) {
  for (const auto& a : accesses)
    mmu.translate(Machine::page(a.page), a.access, Mode::kUser);
}

void expect_same_stats(const Mmu& a, const Mmu& b) {
  for (const Stat& s : a.stats().all())
    EXPECT_EQ(*s.value, b.stats().value(s.name)) << s.name;
}

class RepeatedHits : public ::testing::TestWithParam<const char*> {
 protected:
  static MmuConfig config() {
    MmuConfig c = MmuConfig::defaults();
    for (auto level : {TlbLevel::kL1i, TlbLevel::kL1d})
      for (auto& array : c.level(level))
        array.replacement = *parse_replacement(GetParam());
    return c;
  }
};

TEST_P(RepeatedHits, CountLikeTranslate) {
  Machine plain(config()), repeating(config());
  const auto accesses = pattern();
  run_plain(plain.mmu, accesses);
  run_repeating(repeating.mmu, accesses);
  EXPECT_GT(repeating.mmu.stats().value("tlb.l1d.hits"), 2'000u);
  EXPECT_GT(repeating.mmu.stats().value("tlb.l1i.hits"), 2'000u);
  expect_same_stats(plain.mmu, repeating.mmu);
  // The replacement state is the same too: the same accesses afterwards miss and hit alike.
  run_plain(plain.mmu, accesses);
  run_plain(repeating.mmu, accesses);
  expect_same_stats(plain.mmu, repeating.mmu);
}

INSTANTIATE_TEST_SUITE_P(Policies, RepeatedHits,
                         ::testing::Values("lru", "plru", "fifo", "random"));

TEST(RepeatedHit, NeedsARememberedHitWithTheRights) {
  Machine m(MmuConfig::defaults());
  const VirtAddr rw = Machine::page(0), ro = Machine::page(4);
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, rw.value, Access::kRead));
  // A walk fills the L1 entry the next access hits: it can be remembered.
  ASSERT_EQ(m.mmu.translate(rw, Access::kRead, Mode::kUser).outcome, TlbOutcome::kWalk);
  m.mmu.remember(Mmu::kDataPath, rw.value, rw);
  EXPECT_TRUE(m.mmu.repeat(Mmu::kDataPath, rw.value, Access::kRead));
  // The entry is clean: a write must walk to set D.
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, rw.value, Access::kWrite));
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, ro.value, Access::kRead));  // another key
  m.mmu.translate(ro, Access::kRead, Mode::kUser);
  ASSERT_EQ(m.mmu.translate(ro, Access::kRead, Mode::kUser).outcome, TlbOutcome::kL1Hit);
  m.mmu.remember(Mmu::kDataPath, ro.value, ro);
  EXPECT_TRUE(m.mmu.repeat(Mmu::kDataPath, ro.value, Access::kRead));
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, ro.value, Access::kWrite));  // read-only
}

TEST(RepeatedHit, EndsWithAnyOtherOperation) {
  Machine m(MmuConfig::defaults());
  const VirtAddr va = Machine::page(0);
  auto remembered = [&] {
    m.mmu.translate(va, Access::kRead, Mode::kUser);
    m.mmu.translate(va, Access::kRead, Mode::kUser);
    m.mmu.remember(Mmu::kDataPath, va.value, va);
    return m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead);
  };
  ASSERT_TRUE(remembered());
  m.mmu.invlpg(va);
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead));
  ASSERT_TRUE(remembered());
  m.mmu.load_cr3(m.tables.root(), 0, false);
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead));
  ASSERT_TRUE(remembered());
  m.mmu.translate(Machine::page(1), Access::kRead, Mode::kUser);  // a miss elsewhere
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead));
  ASSERT_TRUE(remembered());
  // A fetch miss changes the L1 ITLB and the L2, not the entry of the data page.
  m.mmu.translate(Machine::page(2), Access::kFetch, Mode::kUser);
  EXPECT_TRUE(m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead));
  // A rewalk drops its page from every array: both paths forget. (The first write to the
  // clean page walks again to set D.)
  m.mmu.translate(Machine::page(2), Access::kFetch, Mode::kUser);
  m.mmu.remember(Mmu::kFetchPath, Machine::page(2).value, Machine::page(2));
  ASSERT_TRUE(m.mmu.repeat(Mmu::kFetchPath, Machine::page(2).value, Access::kFetch));
  ASSERT_TRUE(m.mmu.repeat_fetch(Machine::page(2).value));
  m.mmu.translate(va, Access::kWrite, Mode::kUser);
  EXPECT_FALSE(m.mmu.repeat(Mmu::kFetchPath, Machine::page(2).value, Access::kFetch));
  EXPECT_FALSE(m.mmu.repeat_fetch(Machine::page(2).value));
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead));
  ASSERT_TRUE(remembered());
  MmuObserver observer;
  m.mmu.set_observer(&observer);  // an observer sees every translation
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead));
  m.mmu.translate(va, Access::kRead, Mode::kUser);
  m.mmu.remember(Mmu::kDataPath, va.value, va);
  EXPECT_FALSE(m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead));
}

TEST(RepeatedHit, ReadersSeeUnsettledCounts) {
  Machine m(MmuConfig::defaults());
  const VirtAddr va = Machine::page(0);
  m.mmu.translate(va, Access::kRead, Mode::kUser);
  m.mmu.translate(va, Access::kRead, Mode::kUser);
  m.mmu.remember(Mmu::kDataPath, va.value, va);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(m.mmu.repeat(Mmu::kDataPath, va.value, Access::kRead));
  EXPECT_EQ(m.mmu.translations(Access::kRead), 12u);
  EXPECT_EQ(m.mmu.level_hits(TlbLevel::kL1d), 11u);
  EXPECT_EQ(m.mmu.stats().value("tlb.l1d.hits"), 1u);  // the statistics wait for settle()
  m.mmu.settle();
  EXPECT_EQ(m.mmu.stats().value("tlb.l1d.hits"), 11u);
  EXPECT_EQ(m.mmu.stats().value("translation_cycles"),
            11u * MmuConfig::defaults().cycles.l1_hit +
                m.mmu.stats().value("walk_memory_refs") * MmuConfig::defaults().cycles.memory_ref +
                MmuConfig::defaults().cycles.l1_hit + MmuConfig::defaults().cycles.l2_hit);
}

}  // namespace
}  // namespace vmlab::mmu::testing
