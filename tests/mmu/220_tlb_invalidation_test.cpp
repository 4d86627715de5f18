// INVLPG, INVPCID and CR3-write semantics on PCID-tagged and global entries (SDM §4.10.4).
#include <gtest/gtest.h>

#include "tests/mmu/tlb_support.h"

namespace vmlab::mmu::testing {
namespace {

constexpr uint16_t kPcidA = 1;
constexpr uint16_t kPcidB = 2;

class TlbInvalidation : public ::testing::Test {
 protected:
  TlbInvalidation() : tlb_(tlb_config(64, 4)) {
    tlb_.fill(page(10), kPcidA);
    tlb_.fill(page(11), kPcidA);
    tlb_.fill(page(10), kPcidB);
    tlb_.fill(page(20, /*global=*/true), kPcidA);
  }
  bool has(uint64_t vpn, uint16_t pcid) const {
    return tlb_.peek(Vpn{vpn}.address(), pcid) != nullptr;
  }
  TlbArray tlb_;
};

TEST_F(TlbInvalidation, PcidTagsSeparateAddressSpaces) {
  EXPECT_TRUE(has(11, kPcidA));
  EXPECT_FALSE(has(11, kPcidB));
  EXPECT_TRUE(has(20, kPcidB)) << "global entries match every PCID";
}

TEST_F(TlbInvalidation, InvlpgDropsCurrentPcidAndGlobalForThatPage) {
  EXPECT_EQ(tlb_.invalidate_page(Vpn{10}.address(), kPcidA), 1u);
  EXPECT_FALSE(has(10, kPcidA));
  EXPECT_TRUE(has(10, kPcidB)) << "other PCIDs keep their entry";
  EXPECT_EQ(tlb_.invalidate_page(Vpn{20}.address(), kPcidB), 1u) << "global, any PCID";
  EXPECT_FALSE(has(20, kPcidA));
}

TEST_F(TlbInvalidation, InvpcidIndividualAddressSparesGlobals) {
  EXPECT_EQ(tlb_.invalidate_address(Vpn{20}.address(), kPcidA), 0u);
  EXPECT_EQ(tlb_.invalidate_address(Vpn{10}.address(), kPcidB), 1u);
  EXPECT_TRUE(has(10, kPcidA));
}

TEST_F(TlbInvalidation, InvpcidSingleContextDropsOnlyThatPcid) {
  EXPECT_EQ(tlb_.invalidate_pcid(kPcidA), 2u);
  EXPECT_FALSE(has(10, kPcidA));
  EXPECT_FALSE(has(11, kPcidA));
  EXPECT_TRUE(has(10, kPcidB));
  EXPECT_TRUE(has(20, kPcidA)) << "global survives";
}

TEST_F(TlbInvalidation, AllContextFlushWithAndWithoutGlobals) {
  EXPECT_EQ(tlb_.flush(false), 3u);
  EXPECT_TRUE(has(20, kPcidA));
  EXPECT_EQ(tlb_.flush(true), 1u);
  EXPECT_EQ(tlb_.valid_entries(), 0u);
}

TEST_F(TlbInvalidation, InvlpgFindsLargePagesCoveringTheAddress) {
  const uint8_t both =
      (1u << static_cast<unsigned>(PageSize::k4K)) | (1u << static_cast<unsigned>(PageSize::k2M));
  TlbArray tlb(tlb_config(16, 4, Replacement::kLru, both));
  tlb.fill(TlbFill{VirtAddr{0x20'0000},
                   PageSize::k2M,
                   PhysAddr{0x40'0000},
                   {true, true, true},
                   false,
                   false},
           kPcidA);
  EXPECT_EQ(tlb.invalidate_page(VirtAddr{0x3f'f000}, kPcidA), 1u);
  EXPECT_EQ(tlb.valid_entries(), 0u);
}

}  // namespace
}  // namespace vmlab::mmu::testing
