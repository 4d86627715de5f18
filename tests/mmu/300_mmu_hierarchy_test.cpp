// The Mmu facade: L1 → L2 → paging-structure caches → walk, statistics and events.
#include <gtest/gtest.h>

#include "mmu/mmu.h"
#include "tests/mmu/page_table_builder.h"

namespace vmlab::mmu::testing {
namespace {

constexpr uint64_t kLeafRw = Pte::kPresent | Pte::kWritable | Pte::kUser;

class MmuTest : public ::testing::Test {
 protected:
  MmuTest() : memory_(PhysAddr{0}, 8 << 20), tables_(memory_), mmu_(memory_, config()) {
    PagingControl control;
    control.root = tables_.root();
    mmu_.set_control(control);
  }
  static MmuConfig config() { return MmuConfig::defaults(); }
  uint64_t stat(const char* name) const { return mmu_.stats().value(name); }
  Translation read(uint64_t va) { return mmu_.translate(VirtAddr{va}, Access::kRead, Mode::kUser); }
  Translation write(uint64_t va) {
    return mmu_.translate(VirtAddr{va}, Access::kWrite, Mode::kUser);
  }

  PhysicalMemory memory_;
  PageTableBuilder tables_;
  Mmu mmu_;
};

TEST_F(MmuTest, FirstAccessWalksSecondHitsL1) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x50'0000}, kLeafRw);
  const Translation first = read(0x1234);
  EXPECT_EQ(first.outcome, TlbOutcome::kWalk);
  EXPECT_EQ(first.pa.value, 0x50'0234u);
  EXPECT_EQ(stat("walk_memory_refs"), 4u);
  const Translation second = read(0x1238);
  EXPECT_EQ(second.outcome, TlbOutcome::kL1Hit);
  EXPECT_EQ(second.pa.value, 0x50'0238u);
  EXPECT_EQ(stat("tlb.l1d.hits"), 1u);
  EXPECT_EQ(stat("tlb.l1d.misses"), 1u);
  EXPECT_EQ(stat("tlb.l2.misses"), 1u);
  EXPECT_EQ(stat("walks"), 1u);
}

TEST_F(MmuTest, L1EvictionLeavesAnL2Hit) {
  // 65 pages of one L1 set (16 sets, 4 ways) overflow it; the STLB keeps them all.
  for (uint64_t i = 0; i < 5; ++i)
    tables_.map(Vpn{i * 16}.address(), PhysAddr{0x10'0000 + i * kPageBytes}, kLeafRw);
  for (uint64_t i = 0; i < 5; ++i)
    read(Vpn{i * 16}.address().value);
  const Translation again = read(0);
  EXPECT_EQ(again.outcome, TlbOutcome::kL2Hit);
  EXPECT_EQ(again.pa.value, 0x10'0000u);
  EXPECT_EQ(stat("tlb.l2.hits"), 1u);
}

TEST_F(MmuTest, PdeCacheCutsANeighbourWalkToOneReference) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);
  tables_.map(VirtAddr{0x2000}, PhysAddr{0x11'0000}, kLeafRw);
  read(0x1000);
  read(0x2000);
  EXPECT_EQ(stat("walk_memory_refs"), 4u + 1u);
  EXPECT_EQ(stat("psc.pde.hits"), 1u);
}

TEST_F(MmuTest, PagingStructureCachesKeepRegionsApart) {
  // Each cached entry covers only the region its level translates: a neighbour in another
  // page table, PDPT or PML4 slot must not reuse it.
  const uint64_t vas[] = {0x1000, 0x20'1000, 0x4000'1000, 0x80'0000'1000, 0x7fff'ffff'e000};
  for (uint64_t i = 0; i < std::size(vas); ++i)
    tables_.map(VirtAddr{vas[i]}, PhysAddr{0x10'0000 + i * kPageBytes}, kLeafRw);
  for (int round = 0; round < 2; ++round) {
    for (uint64_t i = 0; i < std::size(vas); ++i) {
      mmu_.invlpg(VirtAddr{vas[i]});
      const Translation t = read(vas[i]);
      ASSERT_FALSE(t.faulted) << std::hex << vas[i];
      EXPECT_EQ(t.pa.value, 0x10'0000 + i * kPageBytes) << std::hex << vas[i];
    }
  }
}

TEST_F(MmuTest, WriteThroughCleanEntryWalksToSetDirty) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);
  read(0x1000);
  EXPECT_FALSE(tables_.entry(VirtAddr{0x1000}, Level::kPt).dirty());
  const Translation w = write(0x1000);
  EXPECT_FALSE(w.faulted);
  EXPECT_EQ(w.outcome, TlbOutcome::kWalk);
  EXPECT_TRUE(tables_.entry(VirtAddr{0x1000}, Level::kPt).dirty());
  EXPECT_EQ(stat("tlb.rewalks"), 1u);
  EXPECT_EQ(write(0x1000).outcome, TlbOutcome::kL1Hit) << "the refilled entry is dirty";
}

TEST_F(MmuTest, UpgradedPteIsFoundWithoutInvalidation) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, Pte::kPresent | Pte::kUser);
  EXPECT_TRUE(write(0x1000).faulted);
  read(0x1000);                                                 // caches a read-only entry
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);  // RO -> RW, no INVLPG
  EXPECT_FALSE(write(0x1000).faulted);
}

TEST_F(MmuTest, StaleEntryIsUsedUntilInvlpg) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);
  read(0x1000);
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x20'0000}, kLeafRw);  // remap without invalidating
  EXPECT_EQ(read(0x1000).pa.value, 0x10'0000u) << "a real TLB serves the stale translation";
  mmu_.invlpg(VirtAddr{0x1000});
  EXPECT_EQ(read(0x1000).pa.value, 0x20'0000u);
  EXPECT_EQ(stat("tlb.invlpg"), 1u);
}

TEST_F(MmuTest, Cr3LoadFlushesWithoutPcidsAndKeepsWithNoFlush) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);
  read(0x1000);
  mmu_.load_cr3(tables_.root(), 0, false);
  EXPECT_EQ(read(0x1000).outcome, TlbOutcome::kWalk);

  PagingControl control = mmu_.control();
  control.pcid_enabled = true;
  mmu_.set_control(control);
  mmu_.load_cr3(tables_.root(), 5, false);
  read(0x1000);
  mmu_.load_cr3(tables_.root(), 6, false);
  mmu_.load_cr3(tables_.root(), 5, true);
  EXPECT_EQ(read(0x1000).outcome, TlbOutcome::kL1Hit) << "PCID 5 kept its entries";
  mmu_.load_cr3(tables_.root(), 5, false);
  EXPECT_EQ(read(0x1000).outcome, TlbOutcome::kWalk) << "no-flush clear: PCID 5 flushed";
}

TEST_F(MmuTest, FaultsAreReturnedAndNotCached) {
  const Translation t = read(0x7000);
  ASSERT_TRUE(t.faulted);
  EXPECT_EQ(t.fault.error_code, pf_error::kUser);
  tables_.map(VirtAddr{0x7000}, PhysAddr{0x10'0000}, kLeafRw);
  EXPECT_FALSE(read(0x7000).faulted);
  EXPECT_EQ(stat("mmu.page_faults"), 1u);
}

TEST_F(MmuTest, TwoMegabytePageHitsTheLargeArray) {
  tables_.map(VirtAddr{0x4000'0000}, PhysAddr{0x20'0000}, kLeafRw, PageSize::k2M);
  read(0x4000'0000);
  EXPECT_EQ(read(0x401f'f000).outcome, TlbOutcome::kL1Hit);
  EXPECT_EQ(stat("tlb.array.l1d.2m.hits"), 1u);
}

TEST_F(MmuTest, FetchesUseTheInstructionTlb) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);
  mmu_.translate(VirtAddr{0x1000}, Access::kFetch, Mode::kUser);
  mmu_.translate(VirtAddr{0x1000}, Access::kFetch, Mode::kUser);
  EXPECT_EQ(stat("tlb.l1i.hits"), 1u);
  EXPECT_EQ(stat("tlb.l1d.hits") + stat("tlb.l1d.misses"), 0u);
}

TEST_F(MmuTest, CyclesFollowTheConfiguredLatencies) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);
  const Latencies& c = mmu_.config().cycles;
  read(0x1000);
  EXPECT_EQ(stat("translation_cycles"), c.l1_hit + c.l2_hit + 4 * c.memory_ref);
  read(0x1000);
  EXPECT_EQ(stat("translation_cycles"), 2 * c.l1_hit + c.l2_hit + 4 * c.memory_ref);
}

TEST_F(MmuTest, ProbeHasNoSideEffects) {
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);
  const WalkResult r = mmu_.probe(VirtAddr{0x1000}, Access::kWrite, Mode::kUser);
  EXPECT_FALSE(r.faulted);
  EXPECT_FALSE(tables_.entry(VirtAddr{0x1000}, Level::kPt).accessed());
  EXPECT_EQ(stat("walks"), 0u);
  EXPECT_EQ(read(0x1000).outcome, TlbOutcome::kWalk) << "probe filled no TLB";
}

struct Recorder : MmuObserver {
  void on_translation(const TranslationEvent& e) override {
    outcomes.push_back(e.result.outcome);
    if (e.walk != nullptr) walk_steps.push_back(e.walk->step_count);
  }
  void on_invalidation(const InvalidationEvent& e) override { invalidations.push_back(e.kind); }
  std::vector<TlbOutcome> outcomes;
  std::vector<int> walk_steps;
  std::vector<InvalidationKind> invalidations;
};

TEST_F(MmuTest, ObserverSeesEveryTranslationAndInvalidation) {
  Recorder recorder;
  mmu_.set_observer(&recorder);
  tables_.map(VirtAddr{0x1000}, PhysAddr{0x10'0000}, kLeafRw);
  read(0x1000);
  read(0x1000);
  mmu_.invlpg(VirtAddr{0x1000});
  EXPECT_EQ(recorder.outcomes, (std::vector<TlbOutcome>{TlbOutcome::kWalk, TlbOutcome::kL1Hit}));
  EXPECT_EQ(recorder.walk_steps, std::vector<int>{4});
  EXPECT_EQ(recorder.invalidations, std::vector<InvalidationKind>{InvalidationKind::kInvlpg});
}

TEST_F(MmuTest, EveryStatisticHasAUnitAndADescription) {
  ASSERT_FALSE(mmu_.stats().all().empty());
  for (const auto& s : mmu_.stats().all()) {
    EXPECT_FALSE(s.unit.empty()) << s.name;
    EXPECT_FALSE(s.description.empty()) << s.name;
    EXPECT_NE(s.value, nullptr) << s.name;
  }
}

}  // namespace
}  // namespace vmlab::mmu::testing
