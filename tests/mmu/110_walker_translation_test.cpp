// The walker translates: textbook examples, every level's index, and large pages.
#include "tests/mmu/walker_fixture.h"

namespace vmlab::mmu::testing {
namespace {

using TranslationTest = WalkerTest;

PhysAddr frame(uint64_t number) {
  return Pfn{number}.address();
}

TEST_F(TranslationTest, TextbookPageOneToFrameFive) {
  // Virtual address 0x1234 lies in page 1 at offset 0x234; page 1 maps to frame 5.
  tables_.map(VirtAddr{0x1000}, frame(5), kLeafRw);
  const WalkResult r = walk(VirtAddr{0x1234});
  ASSERT_FALSE(r.faulted);
  EXPECT_EQ(r.translate(VirtAddr{0x1234}).value, 0x5234u);
}

TEST_F(TranslationTest, TextbookDecimalAddress) {
  // 20500 = 5 * 4096 + 20: page 5, offset 20; page 5 maps to frame 100: 100 * 4096 + 20.
  tables_.map(Vpn{5}.address(), frame(100), kLeafRw);
  const WalkResult r = walk(VirtAddr{20500});
  ASSERT_FALSE(r.faulted);
  EXPECT_EQ(r.translate(VirtAddr{20500}).value, 409620u);
}

TEST_F(TranslationTest, RecordsEveryEntryReadTopDown) {
  const VirtAddr va{0x7fff'1234'5678};
  tables_.map(va, frame(77), kLeafRw);
  const WalkResult r = walk(va);
  ASSERT_FALSE(r.faulted);
  ASSERT_EQ(r.step_count, 4);
  const Level expected[] = {Level::kPml4, Level::kPdpt, Level::kPd, Level::kPt};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(r.steps[i].level, expected[i]);
    EXPECT_EQ(r.steps[i].entry_address, tables_.entry_address(va, expected[i]));
  }
  EXPECT_EQ(r.steps[0].entry_address.value,
            control_.root.value + table_index(va, Level::kPml4) * 8);
  EXPECT_EQ(r.size, PageSize::k4K);
  EXPECT_EQ(r.translate(va), frame(77) + 0x678);
}

TEST_F(TranslationTest, TwoMegabytePageStopsAtThePde) {
  const VirtAddr va{0x4000'0000 + 0x12'3456};
  tables_.map(va, PhysAddr{0x20'0000}, kLeafRw, PageSize::k2M);
  const WalkResult r = walk(va);
  ASSERT_FALSE(r.faulted);
  EXPECT_EQ(r.step_count, 3);
  EXPECT_EQ(r.size, PageSize::k2M);
  EXPECT_EQ(r.translate(va).value, 0x20'0000u + 0x12'3456u);
}

TEST_F(TranslationTest, OneGigabytePageStopsAtThePdpte) {
  const VirtAddr va{0x80'0000'0000 + 0x1234'5678};
  tables_.map(va, PhysAddr{0x40'0000'0000}, kLeafRw, PageSize::k1G);
  const WalkResult r = walk(va);
  ASSERT_FALSE(r.faulted);
  EXPECT_EQ(r.step_count, 2);
  EXPECT_EQ(r.size, PageSize::k1G);
  EXPECT_EQ(r.translate(va).value, 0x40'0000'0000u + 0x1234'5678u);
}

TEST_F(TranslationTest, UpperHalfCanonicalAddressesWalkTheirOwnPml4Slot) {
  const VirtAddr va{0xffff'8000'0000'1000};
  tables_.map(va, frame(9), kLeafRw);
  const WalkResult r = walk(va);
  ASSERT_FALSE(r.faulted);
  EXPECT_EQ(table_index(va, Level::kPml4), 256u);
  EXPECT_EQ(r.translate(va), frame(9));
}

TEST_F(TranslationTest, ProbeLeavesAccessedAndDirtyAlone) {
  const VirtAddr va{0x1000};
  tables_.map(va, frame(3), kLeafRw);
  const WalkResult r = walk(va, Access::kWrite, Mode::kUser, WalkEffects::kNone);
  ASSERT_FALSE(r.faulted);
  for (auto level : {Level::kPml4, Level::kPdpt, Level::kPd, Level::kPt}) {
    EXPECT_FALSE(tables_.entry(va, level).accessed()) << level_name(level);
  }
  EXPECT_FALSE(tables_.entry(va, Level::kPt).dirty());
}

}  // namespace
}  // namespace vmlab::mmu::testing
