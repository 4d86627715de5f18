// A paging-structure cache on its own: fully associative LRU, PCID-tagged, and the slot guess
// that lookups try first never changing what hits (a stale or colliding guess only searches).
#include <gtest/gtest.h>

#include "mmu/paging_structure_cache.h"

namespace vmlab::mmu::testing {
namespace {

constexpr uint64_t kRegion = uint64_t{1} << 21;  // what one PDE maps
const Permissions kAll{true, true, true};

VirtAddr region(uint64_t n) {
  return VirtAddr{n * kRegion};
}

TEST(PagingStructureCacheTest, EvictsTheLeastRecentlyUsedRegion) {
  PagingStructureCache pde(Level::kPd, 2);
  pde.fill(region(0), 0, PhysAddr{0x1000}, kAll);
  pde.fill(region(1), 0, PhysAddr{0x2000}, kAll);
  ASSERT_NE(pde.lookup(region(0), 0), nullptr);  // region 1 is now the least recent
  pde.fill(region(2), 0, PhysAddr{0x3000}, kAll);
  EXPECT_EQ(pde.lookup(region(1), 0), nullptr);
  ASSERT_NE(pde.lookup(region(0), 0), nullptr);
  EXPECT_EQ(pde.lookup(region(0), 0)->next_table.value, 0x1000u);
  ASSERT_NE(pde.lookup(region(2), 0), nullptr);
  EXPECT_EQ(pde.lookup(region(2), 0)->next_table.value, 0x3000u);
}

TEST(PagingStructureCacheTest, AnEvictedRegionMissesThoughItsGuessNamesItsOldSlot) {
  PagingStructureCache pde(Level::kPd, 1);
  pde.fill(region(5), 0, PhysAddr{0x1000}, kAll);
  pde.fill(region(6), 0, PhysAddr{0x2000}, kAll);  // takes the only slot
  EXPECT_EQ(pde.lookup(region(5), 0), nullptr);
  ASSERT_NE(pde.lookup(region(6), 0), nullptr);
  EXPECT_EQ(pde.lookup(region(6), 0)->next_table.value, 0x2000u);
}

TEST(PagingStructureCacheTest, RegionsThatShareAGuessAreBothFound) {
  // The same region under two PCIDs, and regions far apart with equal low bits, share a guess.
  PagingStructureCache pde(Level::kPd, 4);
  pde.fill(region(3), 1, PhysAddr{0x1000}, kAll);
  pde.fill(region(3), 2, PhysAddr{0x2000}, kAll);
  pde.fill(region(3 + 1024), 1, PhysAddr{0x3000}, kAll);
  for (int round = 0; round < 2; ++round) {
    ASSERT_NE(pde.lookup(region(3), 1), nullptr);
    EXPECT_EQ(pde.lookup(region(3), 1)->next_table.value, 0x1000u);
    ASSERT_NE(pde.lookup(region(3), 2), nullptr);
    EXPECT_EQ(pde.lookup(region(3), 2)->next_table.value, 0x2000u);
    ASSERT_NE(pde.lookup(region(3 + 1024), 1), nullptr);
    EXPECT_EQ(pde.lookup(region(3 + 1024), 1)->next_table.value, 0x3000u);
  }
  EXPECT_EQ(pde.lookup(region(3), 3), nullptr);
  pde.invalidate_pcid(1);
  EXPECT_EQ(pde.lookup(region(3), 1), nullptr);
  EXPECT_EQ(pde.lookup(region(3 + 1024), 1), nullptr);
  ASSERT_NE(pde.lookup(region(3), 2), nullptr);
  pde.flush();
  EXPECT_EQ(pde.lookup(region(3), 2), nullptr);
}

TEST(PagingStructureCacheTest, ACacheWithoutEntriesMissesEverything) {
  PagingStructureCache pde(Level::kPd, 0);
  pde.fill(region(1), 0, PhysAddr{0x1000}, kAll);
  EXPECT_EQ(pde.lookup(region(1), 0), nullptr);
}

}  // namespace
}  // namespace vmlab::mmu::testing
