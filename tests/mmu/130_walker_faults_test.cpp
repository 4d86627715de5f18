// Not-present and reserved-bit faults, #GP for non-canonical addresses, and the Accessed/Dirty
// bits a walk writes (SDM Vol. 3 §4.7, §4.8).
#include "tests/mmu/walker_fixture.h"

namespace vmlab::mmu::testing {
namespace {

using pf_error::kPresent;
using pf_error::kReserved;
using pf_error::kUser;
using pf_error::kWrite;

class FaultTest : public WalkerTest {
 protected:
  static constexpr VirtAddr kVa{0x0000'0040'0020'3000};
};

TEST_F(FaultTest, NotPresentAtEachLevelStopsThere) {
  for (auto level : {Level::kPml4, Level::kPdpt, Level::kPd, Level::kPt}) {
    tables_.map(kVa, PhysAddr{0x10'0000}, kLeafRw);
    tables_.set_entry(kVa, level, tables_.entry(kVa, level).without(Pte::kPresent));
    const WalkResult r = walk(kVa, Access::kWrite);
    ASSERT_TRUE(r.faulted) << level_name(level);
    EXPECT_EQ(r.fault.error_code, kWrite | kUser) << level_name(level);
    EXPECT_EQ(r.fault.address, kVa);
    EXPECT_EQ(r.leaf().level, level) << "the walk reads down to the non-present entry";
    tables_.set_entry(kVa, level, tables_.entry(kVa, level).with(Pte::kPresent));
  }
}

TEST_F(FaultTest, SupervisorReadNotPresentHasEmptyErrorCode) {
  const WalkResult r = walk(kVa, Access::kRead, Mode::kSupervisor);
  ASSERT_TRUE(r.faulted);
  EXPECT_EQ(r.fault.error_code, 0u);
  EXPECT_EQ(r.step_count, 1);
}

TEST_F(FaultTest, NonCanonicalIsGeneralProtectionWithoutReadingMemory) {
  const WalkResult r = walk(VirtAddr{0x0000'8000'0000'0000});
  ASSERT_TRUE(r.faulted);
  EXPECT_EQ(r.fault.kind, FaultKind::kGeneralProtection);
  EXPECT_EQ(r.step_count, 0);
}

TEST_F(FaultTest, AddressBitsAboveMaxPhyAddrAreReserved) {
  control_.physical_address_bits = 40;
  tables_.map(kVa, PhysAddr{0x10'0000}, kLeafRw);
  const Pte pt = tables_.entry(kVa, Level::kPt);
  tables_.set_entry(kVa, Level::kPt, Pte{pt.raw() | (uint64_t{1} << 40)});
  const WalkResult r = walk(kVa);
  ASSERT_TRUE(r.faulted);
  EXPECT_EQ(r.fault.error_code, kPresent | kReserved | kUser);
  control_.physical_address_bits = 41;
  EXPECT_FALSE(walk(kVa).faulted) << "bit 40 is an address bit when MAXPHYADDR is 41";
}

TEST_F(FaultTest, PageSizeBitInPml4eIsReserved) {
  tables_.map(kVa, PhysAddr{0x10'0000}, kLeafRw);
  tables_.set_entry(kVa, Level::kPml4, tables_.entry(kVa, Level::kPml4).with(Pte::kPageSize));
  const WalkResult r = walk(kVa);
  ASSERT_TRUE(r.faulted);
  EXPECT_EQ(r.fault.error_code, kPresent | kReserved | kUser);
  EXPECT_EQ(r.step_count, 1);
}

TEST_F(FaultTest, MisalignedLargeFramesAreReserved) {
  tables_.map(kVa, PhysAddr{0x20'0000}, kLeafRw, PageSize::k2M);
  tables_.set_entry(kVa, Level::kPd, Pte{tables_.entry(kVa, Level::kPd).raw() | 0x2000});
  EXPECT_EQ(walk(kVa).fault.error_code, kPresent | kReserved | kUser);
  // The PAT bit (12) of a large leaf is not reserved.
  tables_.map(kVa, PhysAddr{0x20'0000}, kLeafRw | Pte::kLargePagePat, PageSize::k2M);
  EXPECT_FALSE(walk(kVa).faulted);
}

TEST_F(FaultTest, OneGigabytePagesAreReservedWithoutCpuSupport) {
  tables_.map(kVa, PhysAddr{0x4000'0000}, kLeafRw, PageSize::k1G);
  EXPECT_FALSE(walk(kVa).faulted);
  control_.large_1g_pages = false;
  EXPECT_EQ(walk(kVa).fault.error_code, kPresent | kReserved | kUser);
}

TEST_F(FaultTest, SuccessfulWriteSetsAccessedEverywhereAndDirtyOnTheLeaf) {
  tables_.map(kVa, PhysAddr{0x10'0000}, kLeafRw);
  const WalkResult r = walk(kVa, Access::kWrite);
  ASSERT_FALSE(r.faulted);
  for (auto level : {Level::kPml4, Level::kPdpt, Level::kPd, Level::kPt})
    EXPECT_TRUE(tables_.entry(kVa, level).accessed()) << level_name(level);
  EXPECT_TRUE(tables_.entry(kVa, Level::kPt).dirty());
  EXPECT_FALSE(tables_.entry(kVa, Level::kPd).dirty()) << "D exists only in leaves";
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(r.steps[i].set_accessed);
  EXPECT_TRUE(r.leaf().set_dirty);
  // A second walk finds the bits already set and writes nothing.
  const WalkResult again = walk(kVa, Access::kWrite);
  for (int i = 0; i < 4; ++i)
    EXPECT_FALSE(again.steps[i].set_accessed);
  EXPECT_FALSE(again.leaf().set_dirty);
}

TEST_F(FaultTest, ReadSetsAccessedButNotDirty) {
  tables_.map(kVa, PhysAddr{0x10'0000}, kLeafRw);
  ASSERT_FALSE(walk(kVa, Access::kRead).faulted);
  EXPECT_TRUE(tables_.entry(kVa, Level::kPt).accessed());
  EXPECT_FALSE(tables_.entry(kVa, Level::kPt).dirty());
}

TEST_F(FaultTest, FaultingWalkSetsAccessedOnlyAboveTheFault) {
  tables_.map(kVa, PhysAddr{0x10'0000}, Pte::kPresent | Pte::kUser);  // read-only leaf
  const WalkResult r = walk(kVa, Access::kWrite);
  ASSERT_TRUE(r.faulted);
  EXPECT_EQ(r.fault.error_code, kPresent | kWrite | kUser);
  EXPECT_TRUE(tables_.entry(kVa, Level::kPd).accessed());
  EXPECT_FALSE(tables_.entry(kVa, Level::kPt).accessed()) << "a faulting leaf is not marked";
  EXPECT_FALSE(tables_.entry(kVa, Level::kPt).dirty());
}

TEST_F(FaultTest, LargeLeafGetsAccessedAndDirty) {
  tables_.map(kVa, PhysAddr{0x20'0000}, kLeafRw, PageSize::k2M);
  ASSERT_FALSE(walk(kVa, Access::kWrite).faulted);
  const Pte pde = tables_.entry(kVa, Level::kPd);
  EXPECT_TRUE(pde.accessed());
  EXPECT_TRUE(pde.dirty());
}

}  // namespace
}  // namespace vmlab::mmu::testing
