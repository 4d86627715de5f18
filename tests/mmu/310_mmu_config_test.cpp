// --tlb specifications: defaults, redefinitions and precise errors.
#include <gtest/gtest.h>

#include "mmu/mmu_config.h"

namespace vmlab::mmu {
namespace {

TEST(MmuConfig, DefaultsResembleARecentCore) {
  const MmuConfig c = MmuConfig::defaults();
  ASSERT_EQ(c.level(TlbLevel::kL2).size(), 2u);
  EXPECT_EQ(c.level(TlbLevel::kL2)[0].entries, 1536u);
  EXPECT_EQ(c.level(TlbLevel::kL2)[0].ways, 12u);
  EXPECT_EQ(c.level(TlbLevel::kL1d)[0].entries, 64u);
  EXPECT_EQ(c.level(TlbLevel::kL1i)[0].entries, 128u);
}

TEST(MmuConfig, NamingALevelRedefinesIt) {
  MmuConfig c = MmuConfig::defaults();
  c.apply_spec("l1d.4k=16x2/fifo,l2=none,psc.pde=8,cycles.memory_ref=40");
  ASSERT_EQ(c.level(TlbLevel::kL1d).size(), 1u);
  EXPECT_EQ(c.level(TlbLevel::kL1d)[0].name, "l1d.4k");
  EXPECT_EQ(c.level(TlbLevel::kL1d)[0].entries, 16u);
  EXPECT_EQ(c.level(TlbLevel::kL1d)[0].replacement, Replacement::kFifo);
  EXPECT_TRUE(c.level(TlbLevel::kL2).empty());
  EXPECT_EQ(c.level(TlbLevel::kL1i).size(), 2u) << "unnamed levels keep their defaults";
  EXPECT_EQ(c.psc.pde_entries, 8u);
  EXPECT_EQ(c.cycles.memory_ref, 40u);
}

TEST(MmuConfig, MultiSizeArrays) {
  MmuConfig c = MmuConfig::defaults();
  c.apply_spec("l2.4k+2m+1g=2048x16/plru");
  const auto& a = c.level(TlbLevel::kL2).at(0);
  EXPECT_TRUE(a.holds(PageSize::k4K));
  EXPECT_TRUE(a.holds(PageSize::k2M));
  EXPECT_TRUE(a.holds(PageSize::k1G));
  EXPECT_EQ(a.replacement, Replacement::kTreePlru);
}

TEST(MmuConfig, ErrorsNameTheItem) {
  const std::pair<const char*, const char*> cases[] = {
      {"l3.4k=64x4", "--tlb item 'l3.4k=64x4': unknown level 'l3' (l1i, l1d, l2, psc, cycles)"},
      {"l1d.4k=64", "--tlb item 'l1d.4k=64': expected ENTRIESxWAYS, e.g. 64x4"},
      {"l1d.4k=60x8", "--tlb item 'l1d.4k=60x8': entries must be a multiple of ways"},
      {"l1d.8k=64x4",
       "--tlb item 'l1d.8k=64x4': unknown page size '8k' (use 4k, 2m, 1g joined by +)"},
      {"l1d.4k=64x4/mru",
       "--tlb item 'l1d.4k=64x4/mru': unknown policy 'mru' (lru, plru, fifo, random)"},
      {"psc=maybe", "--tlb item 'psc=maybe': psc takes on or off"},
      {"l1d", "--tlb item 'l1d': expected NAME=VALUE"},
  };
  for (const auto& [spec, message] : cases) {
    MmuConfig c = MmuConfig::defaults();
    try {
      c.apply_spec(spec);
      ADD_FAILURE() << spec << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_STREQ(e.what(), message);
    }
  }
}

TEST(MmuConfig, DescribeListsEveryArray) {
  const std::string d = MmuConfig::defaults().describe();
  EXPECT_NE(d.find("l2.4k+2m  1536 entries, 12-way, lru"), std::string::npos) << d;
  EXPECT_NE(d.find("l1d.4k  64 entries, 4-way, lru"), std::string::npos) << d;
}

}  // namespace
}  // namespace vmlab::mmu
