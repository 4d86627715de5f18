// Swap slots (os/swap.cpp): handed out lowest first, reference counted, freed by their last
// reference; a full device refuses; pages round-trip through the host file.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "os/swap.h"

namespace vmlab::testing {
namespace {

constexpr uint64_t kPage = 4096;

TEST(Swap, SlotsAreHandedOutLowestFirstUntilTheDeviceIsFull) {
  os::SwapDevice swap("", 3 * kPage);
  EXPECT_EQ(swap.slots(), 3u);
  EXPECT_EQ(swap.allocate(), 0u);
  EXPECT_EQ(swap.allocate(), 1u);
  EXPECT_EQ(swap.allocate(), 2u);
  EXPECT_EQ(swap.used(), 3u);
  EXPECT_FALSE(swap.allocate().has_value());
  EXPECT_TRUE(swap.release(1));
  EXPECT_EQ(swap.used(), 2u);
  EXPECT_EQ(swap.allocate(), 1u);
}

TEST(Swap, ASlotIsFreedByItsLastReference) {
  os::SwapDevice swap("", 2 * kPage);
  const uint64_t slot = *swap.allocate();
  swap.duplicate(slot);  // a second swap entry (fork), or the swap cache
  EXPECT_EQ(swap.references(slot), 2u);
  EXPECT_FALSE(swap.release(slot));
  EXPECT_EQ(swap.used(), 1u);
  EXPECT_TRUE(swap.release(slot));
  EXPECT_EQ(swap.used(), 0u);
  EXPECT_EQ(swap.allocate(), slot);
}

TEST(Swap, PagesRoundTripThroughTheHostFile) {
  os::SwapDevice swap("", 2 * kPage);
  std::vector<uint8_t> out(kPage), in(kPage);
  for (uint64_t i = 0; i < kPage; ++i)
    out[i] = static_cast<uint8_t>(i * 13);
  ASSERT_TRUE(swap.write(1, out.data()).ok());
  ASSERT_TRUE(swap.read(1, in.data()).ok());
  EXPECT_EQ(in, out);
  EXPECT_EQ(swap.writes(), 1u);
  EXPECT_EQ(swap.reads(), 1u);
}

TEST(Swap, TheSwapCacheRemembersWhichFrameHoldsASlot) {
  os::SwapDevice swap("", kPage);
  EXPECT_FALSE(swap.cached(0).has_value());
  swap.cache(0, mmu::Pfn{42});
  EXPECT_EQ(swap.cached(0), mmu::Pfn{42});
  swap.uncache(0);
  EXPECT_FALSE(swap.cached(0).has_value());
}

TEST(Swap, ASizeThatIsNotWholePagesIsRefused) {
  EXPECT_THROW(os::SwapDevice("", kPage + 1), std::runtime_error);
  EXPECT_THROW(os::SwapDevice("", 0), std::runtime_error);
}

}  // namespace
}  // namespace vmlab::testing
