// TLB arrays of any geometry: set/way mapping, non-power-of-two set counts, large pages.
#include <gtest/gtest.h>

#include "tests/mmu/tlb_support.h"

namespace vmlab::mmu::testing {
namespace {

TEST(TlbGeometry, SetIndexIsVirtualPageModuloSets) {
  TlbArray tlb(tlb_config(64, 4));  // 16 sets
  EXPECT_EQ(tlb.sets(), 16u);
  EXPECT_EQ(tlb.set_index(Vpn{0}.address(), PageSize::k4K), 0u);
  EXPECT_EQ(tlb.set_index(Vpn{17}.address(), PageSize::k4K), 1u);
  EXPECT_EQ(tlb.set_index(Vpn{31}.address(), PageSize::k4K), 15u);
}

TEST(TlbGeometry, SkylakeStlbHas128SetsOf12Ways) {
  TlbArray tlb(tlb_config(1536, 12));
  EXPECT_EQ(tlb.sets(), 128u);
  // Twelve pages of one set all fit; a thirteenth evicts one of them.
  for (uint64_t i = 0; i < 12; ++i)
    tlb.fill(page(5 + 128 * i), 0);
  for (uint64_t i = 0; i < 12; ++i)
    EXPECT_NE(tlb.peek(Vpn{5 + 128 * i}.address(), 0), nullptr);
  tlb.fill(page(5 + 128 * 12), 0);
  EXPECT_EQ(tlb.valid_entries(), 12u);
}

TEST(TlbGeometry, NonPowerOfTwoSetCount) {
  TlbArray tlb(tlb_config(12, 2));  // 6 sets
  EXPECT_EQ(tlb.sets(), 6u);
  EXPECT_EQ(tlb.set_index(Vpn{13}.address(), PageSize::k4K), 1u);
  tlb.fill(page(1), 0);
  tlb.fill(page(7), 0);
  tlb.fill(page(13), 0);  // third page of set 1 in a 2-way array: evicts page 1 (LRU)
  EXPECT_EQ(tlb.peek(Vpn{1}.address(), 0), nullptr);
  EXPECT_NE(tlb.peek(Vpn{7}.address(), 0), nullptr);
  EXPECT_NE(tlb.peek(Vpn{13}.address(), 0), nullptr);
}

TEST(TlbGeometry, FullyAssociativeIsOneSet) {
  TlbArray tlb(tlb_config(8, 8));
  EXPECT_EQ(tlb.sets(), 1u);
  for (uint64_t i = 0; i < 8; ++i)
    tlb.fill(page(i * 1000), 0);
  EXPECT_EQ(tlb.valid_entries(), 8u);
}

TEST(TlbGeometry, RejectsImpossibleGeometriesByName) {
  EXPECT_THROW(TlbArray(tlb_config(10, 4)), std::invalid_argument);
  EXPECT_THROW(TlbArray(tlb_config(0, 1)), std::invalid_argument);
  EXPECT_THROW(TlbArray(tlb_config(4, 0)), std::invalid_argument);
  try {
    TlbArray bad(tlb_config(10, 4));
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "TLB array 'test': 10 entries are not a multiple of 4 ways");
  }
}

TEST(TlbGeometry, HitTranslatesWithThePageOffset) {
  TlbArray tlb(tlb_config(16, 4));
  tlb.fill(page(0x42), 0);
  const TlbEntry* e = tlb.lookup(VirtAddr{0x42'abc}, 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->translate(VirtAddr{0x42'abc}).value, ((0x42u + 1000u) << 12) + 0xabcu);
}

TEST(TlbGeometry, RefillingTheSamePageKeepsOneCopy) {
  TlbArray tlb(tlb_config(16, 4));
  tlb.fill(page(3), 0);
  tlb.fill(page(3), 0);
  EXPECT_EQ(tlb.valid_entries(), 1u);
}

TEST(TlbGeometry, LargePagesAreIndexedByTheirOwnPageNumber) {
  const uint8_t both =
      (1u << static_cast<unsigned>(PageSize::k4K)) | (1u << static_cast<unsigned>(PageSize::k2M));
  TlbArray tlb(tlb_config(16, 4, Replacement::kLru, both));
  TlbFill huge{VirtAddr{0x4020'0000}, PageSize::k2M, PhysAddr{0x80'0000},
               {true, true, true},    false,         false};
  ASSERT_TRUE(tlb.fill(huge, 0));
  const TlbEntry* e = tlb.lookup(VirtAddr{0x4021'2345}, 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->size(), PageSize::k2M);
  EXPECT_EQ(e->translate(VirtAddr{0x4021'2345}).value, 0x80'0000u + 0x1'2345u);
}

TEST(TlbGeometry, OneGigabytePageSplintersIntoA4KArray) {
  TlbArray tlb(tlb_config(16, 4));
  TlbFill huge{VirtAddr{0x4123'4567}, PageSize::k1G, PhysAddr{0x80'0000'0000},
               {true, true, true},    false,         false};
  ASSERT_TRUE(tlb.fill(huge, 0));
  const TlbEntry* e = tlb.lookup(VirtAddr{0x4123'4000}, 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->size(), PageSize::k4K);
  EXPECT_EQ(e->frame().value, 0x80'0000'0000u + 0x123'4000u);
  EXPECT_EQ(tlb.lookup(VirtAddr{0x4123'5000}, 0), nullptr) << "only the 4K piece is cached";
}

TEST(TlbGeometry, AnEntryKeepsItsFrameAndEveryFlagApart) {
  // The frame and the flags share one word: neither may leak into the other.
  TlbArray tlb(tlb_config(16, 4));
  const PhysAddr frame{0xf'ffff'f000};  // every frame bit a 40-bit physical address has
  ASSERT_TRUE(
      tlb.fill(TlbFill{VirtAddr{0x7000}, PageSize::k4K, frame, {true, true, true}, true, true}, 0));
  const TlbEntry* all = tlb.lookup(VirtAddr{0x7000}, 0);
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->frame(), frame);
  EXPECT_TRUE(all->global() && all->dirty());
  EXPECT_TRUE(all->permissions().writable && all->permissions().user &&
              all->permissions().executable);
  ASSERT_TRUE(tlb.fill(
      TlbFill{
          VirtAddr{0x8000}, PageSize::k4K, PhysAddr{0x1000}, {false, false, false}, false, false},
      0));
  const TlbEntry* none = tlb.lookup(VirtAddr{0x8000}, 0);
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->frame(), PhysAddr{0x1000});
  EXPECT_EQ(none->flags(), 0u);
  EXPECT_EQ(none->translate(VirtAddr{0x8fff}).value, 0x1fffu);
}

TEST(TlbGeometry, FourWaySetsStartOnACacheLine) {
  // 16-byte entries in storage aligned to 64 bytes: a 4-way set is one cache line.
  TlbArray tlb(tlb_config(64, 4));
  for (uint64_t vpn = 0; vpn < 16; ++vpn) {
    tlb.fill(page(vpn), 0);
    const TlbEntry* e = tlb.peek(Vpn{vpn}.address(), 0);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(e) / 64, reinterpret_cast<uintptr_t>(e + 3) / 64);
  }
}

TEST(TlbGeometry, AReplacementCountsTheSizeAndScopeOfTheNewEntry) {
  // A full set, so each fill replaces a valid entry of another size or scope. A lookup searches
  // only the sizes the array holds entries of, and compares PCIDs loosely only when it holds
  // global entries: both counts must follow each replacement.
  const uint8_t both =
      (1u << static_cast<unsigned>(PageSize::k4K)) | (1u << static_cast<unsigned>(PageSize::k2M));
  TlbArray tlb(tlb_config(2, 2, Replacement::kLru, both));
  tlb.fill(page(1), 0);
  tlb.fill(page(2), 0);
  const TlbFill huge{VirtAddr{0x4020'0000}, PageSize::k2M, PhysAddr{0x80'0000},
                     {true, true, true},    false,         false};
  ASSERT_TRUE(tlb.fill(huge, 0));  // replaces page 1
  ASSERT_NE(tlb.lookup(VirtAddr{0x4021'2345}, 0), nullptr);
  EXPECT_EQ(tlb.lookup(Vpn{1}.address(), 0), nullptr);
  tlb.fill(page(7, /*global=*/true), 0);  // replaces page 2
  ASSERT_NE(tlb.lookup(Vpn{7}.address(), 5), nullptr) << "a global entry serves every PCID";
  tlb.fill(page(8), 0);  // replaces the 2M entry
  EXPECT_EQ(tlb.lookup(VirtAddr{0x4021'2345}, 0), nullptr);
  tlb.fill(page(9), 0);  // replaces the global entry
  EXPECT_EQ(tlb.lookup(Vpn{7}.address(), 5), nullptr);
  EXPECT_EQ(tlb.lookup(Vpn{9}.address(), 5), nullptr) << "no global entry is left";
  ASSERT_NE(tlb.lookup(Vpn{9}.address(), 0), nullptr);
  EXPECT_EQ(tlb.valid_entries(), 2u);
}

TEST(TlbGeometry, SmallPagesDoNotFitALargeOnlyArray) {
  TlbArray tlb(tlb_config(8, 8, Replacement::kLru, 1u << static_cast<unsigned>(PageSize::k2M)));
  EXPECT_FALSE(tlb.fill(page(1), 0));
  EXPECT_EQ(tlb.valid_entries(), 0u);
}

}  // namespace
}  // namespace vmlab::mmu::testing
