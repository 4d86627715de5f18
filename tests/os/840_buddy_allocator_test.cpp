// The buddy allocator (os/buddy_allocator.cpp): blocks split on allocation and merge with
// their buddies on release; fragmentation measured as Linux's unusable free space index.
#include <gtest/gtest.h>

#include <array>
#include <stdexcept>

#include "os/buddy_allocator.h"

namespace vmlab::testing {
namespace {

using os::BuddyAllocator;
using Blocks = std::array<uint64_t, BuddyAllocator::kOrders>;

Blocks blocks(std::initializer_list<uint64_t> low_orders) {
  Blocks b{};
  size_t i = 0;
  for (uint64_t n : low_orders)
    b[i++] = n;
  return b;
}

TEST(Buddy, ARangeIsCarvedIntoTheLargestAlignedBlocks) {
  EXPECT_EQ(BuddyAllocator(mmu::Pfn{100}, 16).free_blocks(), blocks({0, 0, 0, 0, 1}));
  // 13 frames: 8 + 4 + 1.
  EXPECT_EQ(BuddyAllocator(mmu::Pfn{0}, 13).free_blocks(), blocks({1, 0, 1, 1}));
}

TEST(Buddy, AllocationSplitsAndReleaseMergesBack) {
  BuddyAllocator b(mmu::Pfn{100}, 16);
  // One frame out of 16: the block splits into 8 + 4 + 2 + 1 free halves and the lowest frame.
  EXPECT_EQ(b.allocate(0)->value, 100u);
  EXPECT_EQ(b.free_blocks(), blocks({1, 1, 1, 1}));
  EXPECT_EQ(b.allocate(0)->value, 101u);
  EXPECT_EQ(b.allocate(1)->value, 102u);  // the order-1 block at 102..103, aligned
  EXPECT_EQ(b.free_frames(), 12u);
  b.free(mmu::Pfn{100});  // its buddy 101 is in use: no merge
  EXPECT_EQ(b.free_blocks(), blocks({1, 0, 1, 1}));
  b.free(mmu::Pfn{101});  // 100+101 merge; their buddy 102..103 is in use
  EXPECT_EQ(b.free_blocks(), blocks({0, 1, 1, 1}));
  b.free(mmu::Pfn{102}, 1);  // merges all the way up
  EXPECT_EQ(b.free_blocks(), blocks({0, 0, 0, 0, 1}));
  EXPECT_EQ(b.free_frames(), 16u);
}

TEST(Buddy, LargerBlocksAreAlignedToTheirSize) {
  BuddyAllocator b(mmu::Pfn{0}, 64);
  b.allocate(0);
  const auto four = b.allocate(2);
  ASSERT_TRUE(four.has_value());
  EXPECT_EQ(four->value % 4, 0u);
  EXPECT_EQ(four->value, 4u);  // 1..3 are free but not an aligned block of four
}

TEST(Buddy, FreeFramesWithoutFreeBuddiesAreFragmented) {
  BuddyAllocator b(mmu::Pfn{100}, 16);
  for (uint64_t i = 0; i < 16; ++i)
    EXPECT_EQ(b.allocate(0)->value, 100 + i);
  for (uint64_t i = 0; i < 16; i += 2)
    b.free(mmu::Pfn{100 + i});
  EXPECT_EQ(b.free_frames(), 8u);
  EXPECT_EQ(b.free_blocks(), blocks({8}));
  EXPECT_FALSE(b.allocate(1).has_value());  // half of memory free, no two adjacent frames
  EXPECT_DOUBLE_EQ(b.unusable_index(0), 0.0);
  EXPECT_DOUBLE_EQ(b.unusable_index(1), 1.0);
  b.free(mmu::Pfn{101});  // 100..101 now merge: 2 of the 9 free frames serve order 1
  EXPECT_DOUBLE_EQ(b.unusable_index(1), 7.0 / 9.0);
  EXPECT_EQ(b.allocate(1)->value, 100u);
}

TEST(Buddy, ReservingAFrameSplitsTheBlockAroundIt) {
  BuddyAllocator b(mmu::Pfn{100}, 16);
  ASSERT_TRUE(b.reserve(mmu::Pfn{105}));
  EXPECT_FALSE(b.is_free(mmu::Pfn{105}));
  EXPECT_TRUE(b.is_free(mmu::Pfn{104}));
  // 100..103, 104, 106..107, 108..115.
  EXPECT_EQ(b.free_blocks(), blocks({1, 1, 1, 1}));
  EXPECT_EQ(b.free_frames(), 15u);
  EXPECT_FALSE(b.reserve(mmu::Pfn{105}));
  EXPECT_FALSE(b.reserve(mmu::Pfn{116}));
}

TEST(Buddy, DoubleAndMisalignedFreesAreRefused) {
  BuddyAllocator b(mmu::Pfn{100}, 16);
  const auto pair = b.allocate(1);
  EXPECT_THROW(b.free(mmu::Pfn{101}, 1), std::logic_error);  // not aligned to two frames
  b.free(*pair, 1);
  EXPECT_THROW(b.free(*pair, 1), std::logic_error);
  EXPECT_THROW(b.free(mmu::Pfn{99}), std::logic_error);
  EXPECT_FALSE(b.allocate(BuddyAllocator::kMaxOrder + 1).has_value());
}

TEST(Buddy, BuddyinfoListsFreeBlocksPerOrder) {
  BuddyAllocator b(mmu::Pfn{0}, 13);
  EXPECT_EQ(b.buddyinfo(),
            "Node 0, zone   Normal      1      0      1      1      0      0      0      0      0"
            "      0      0");
}

}  // namespace
}  // namespace vmlab::testing
