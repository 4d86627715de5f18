// The page-table writer on its own (os/page_table_writer.cpp): the const lookup never builds a
// table, the allocating walk does (and splits a huge leaf in its way), and every entry
// written keeps the space's counters and the frame's reverse map.
#include <gtest/gtest.h>

#include "os/huge_pages.h"
#include "os/page_table_writer.h"
#include "tests/os/guest_fixture.h"

namespace vmlab::testing {
namespace {

using mmu::Level;
using os::FrameUse;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kHuge = 2 << 20;
constexpr uint64_t kA = 0x40000000;  // 1 GiB: a 2 MiB-aligned address of its own PML4 slot

class PageTableWriterTest : public ::testing::Test {
 protected:
  PageTableWriterTest() { huge.set_counters(&counters); }

  TestGuest guest{{}, 16 << 20};
  os::FrameAllocator& frames = guest.kernel().frames();
  // The identity the reverse map knows the tables by; its own tables stay empty.
  std::unique_ptr<os::AddressSpace> owner = guest.kernel().new_address_space();
  os::HugePageCounters counters;
  os::PageTableWriter tables{frames, guest.kernel().tlb(), *owner, huge};
  os::HugePages huge{tables};
};

TEST_F(PageTableWriterTest, TheConstLookupFindsNothingAndBuildsNothing) {
  const uint64_t free_before = frames.free_frames();
  const os::PageTableWriter& reader = tables;
  EXPECT_FALSE(reader.find_slot(kA, Level::kPt));
  EXPECT_EQ(reader.read_pte(kA).raw(), 0u);
  EXPECT_EQ(frames.free_frames(), free_before);
}

TEST_F(PageTableWriterTest, TheAllocatingWalkBuildsTheMissingTablesOnce) {
  const uint64_t free_before = frames.free_frames();
  const auto made = tables.make_slot(kA, Level::kPt);
  ASSERT_TRUE(made);
  EXPECT_EQ(frames.free_frames(), free_before - 3);  // a PDPT, a PD and a PT
  EXPECT_EQ(tables.find_slot(kA, Level::kPt), made);
  EXPECT_EQ(tables.make_slot(kA + kPage, Level::kPt)->value, made->value + 8);
  EXPECT_EQ(frames.free_frames(), free_before - 3);
}

TEST_F(PageTableWriterTest, MappingKeepsTheCountersAndTheReverseMap) {
  const auto frame = frames.allocate(FrameUse::kAnonymous);
  ASSERT_TRUE(frame && tables.map_page(kA, *frame, {true, false}));
  EXPECT_TRUE(tables.read_pte(kA).present());
  EXPECT_EQ(tables.stats().resident, 1u);
  ASSERT_EQ(frames.frame(*frame).rmap.size(), 1u);
  EXPECT_EQ(frames.frame(*frame).rmap[0], (os::Mapping{owner.get(), kA}));
  EXPECT_TRUE(tables.move_entry(kA, kA + kPage));
  EXPECT_EQ(tables.read_pte(kA).raw(), 0u);
  EXPECT_EQ(frames.frame(*frame).rmap[0].va, kA + kPage);
  tables.unmap_page(kA + kPage);
  EXPECT_EQ(tables.stats().resident, 0u);
}

TEST_F(PageTableWriterTest, AHugeLeafAnswersTheLookupAndIsSplitByTheAllocatingWalk) {
  const auto block = frames.allocate(FrameUse::kAnonymous, 9);
  ASSERT_TRUE(block);
  ASSERT_TRUE(huge.map_huge(kA, *block, {true, false}));
  EXPECT_FALSE(huge.pd_slot_empty(kA));
  // The lookup stops at the 2 MiB leaf: it is the entry of every address it covers.
  const auto pde = tables.find_slot(kA + kHuge - kPage, Level::kPt);
  ASSERT_TRUE(pde);
  EXPECT_EQ(tables.find_slot(kA, Level::kPd), pde);
  EXPECT_TRUE(tables.read_pte(kA + 5 * kPage).page_size());
  EXPECT_EQ(counters.huge_splits, 0u);
  // The allocating walk needs the table below it: the leaf becomes 512 small entries.
  const auto pte = tables.make_slot(kA + 5 * kPage, Level::kPt);
  ASSERT_TRUE(pte);
  EXPECT_NE(pte, pde);
  EXPECT_EQ(counters.huge_splits, 1u);
  EXPECT_EQ(tables.read_pte(kA + 5 * kPage).pfn().value, block->value + 5);
  EXPECT_FALSE(tables.read_pte(kA + 5 * kPage).page_size());
  EXPECT_EQ(tables.stats().resident, 512u);
  EXPECT_EQ(tables.stats().huge, 0u);
}

}  // namespace
}  // namespace vmlab::testing
