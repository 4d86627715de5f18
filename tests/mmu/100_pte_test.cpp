// PTE value class: every named bit sits where Intel SDM Vol. 3 Table 4-19 puts it.
#include <gtest/gtest.h>

#include "mmu/pte.h"

namespace vmlab::mmu {
namespace {

TEST(Pte, NamedBitsMatchTheManual) {
  struct Case {
    uint64_t bit;
    unsigned position;
    bool (Pte::*accessor)() const;
  };
  const Case cases[] = {
      {Pte::kPresent, 0, &Pte::present},
      {Pte::kWritable, 1, &Pte::writable},
      {Pte::kUser, 2, &Pte::user},
      {Pte::kWriteThrough, 3, &Pte::write_through},
      {Pte::kCacheDisable, 4, &Pte::cache_disabled},
      {Pte::kAccessed, 5, &Pte::accessed},
      {Pte::kDirty, 6, &Pte::dirty},
      {Pte::kPageSize, 7, &Pte::page_size},
      {Pte::kGlobal, 8, &Pte::global},
      {Pte::kNoExecute, 63, &Pte::no_execute},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.bit, uint64_t{1} << c.position);
    EXPECT_TRUE((Pte{c.bit}.*c.accessor)()) << "bit " << c.position;
    EXPECT_FALSE((Pte{~c.bit}.*c.accessor)()) << "bit " << c.position;
  }
}

TEST(Pte, AddressFieldIsBits12To51) {
  const Pte all_ones{~uint64_t{0}};
  EXPECT_EQ(all_ones.address().value, 0x000f'ffff'ffff'f000ull);
  const Pte e = Pte{Pte::kPresent}.with_address(PhysAddr{0x1234'5678'9000});
  EXPECT_EQ(e.address().value, 0x1234'5678'9000ull);
  EXPECT_EQ(e.pfn().value, 0x1234'5678'9ull);
  EXPECT_TRUE(e.present());
}

TEST(Pte, LargeFrameDropsPatAndLowBits) {
  const Pte e{0x4020'1000 | Pte::kLargePagePat | Pte::kPresent | Pte::kPageSize};
  EXPECT_EQ(e.frame(PageSize::k2M).value, 0x4020'0000ull);
  EXPECT_EQ(e.frame(PageSize::k1G).value, 0x4000'0000ull);
}

TEST(Pte, WithAndWithoutEditOnlyTheNamedBits) {
  const Pte e = Pte{}.with(Pte::kPresent | Pte::kWritable).with_address(PhysAddr{0x5000});
  EXPECT_EQ(e.without(Pte::kWritable).raw(), Pte::kPresent | 0x5000);
  EXPECT_EQ(e.with_address(PhysAddr{0x7000}).raw(), Pte::kPresent | Pte::kWritable | 0x7000);
}

TEST(Address, CanonicalForm) {
  EXPECT_TRUE(is_canonical(VirtAddr{0}));
  EXPECT_TRUE(is_canonical(VirtAddr{0x0000'7fff'ffff'ffff}));
  EXPECT_FALSE(is_canonical(VirtAddr{0x0000'8000'0000'0000}));
  EXPECT_FALSE(is_canonical(VirtAddr{0xffff'7fff'ffff'ffff}));
  EXPECT_TRUE(is_canonical(VirtAddr{0xffff'8000'0000'0000}));
}

TEST(Address, TableIndicesSplitTheAddressNineBitsAtATime) {
  const VirtAddr va{(uint64_t{3} << 39) | (uint64_t{5} << 30) | (uint64_t{7} << 21) |
                    (uint64_t{9} << 12) | 0x123};
  EXPECT_EQ(table_index(va, Level::kPml4), 3u);
  EXPECT_EQ(table_index(va, Level::kPdpt), 5u);
  EXPECT_EQ(table_index(va, Level::kPd), 7u);
  EXPECT_EQ(table_index(va, Level::kPt), 9u);
  EXPECT_EQ(va.page_offset(), 0x123u);
}

}  // namespace
}  // namespace vmlab::mmu
