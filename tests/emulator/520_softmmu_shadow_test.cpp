// The full model's map from the physical address a memory hook reports back to the virtual page
// the engine's TLB was filled for: one virtual page per physical page, a flush when a second one
// may still reach a frame, and nothing remembered across a flush.
#include "emulator/softmmu_shadow.h"

#include <gtest/gtest.h>

namespace vmlab::emulator {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kFrames = 1024;

TEST(SoftmmuShadow, NamesTheVirtualAddressOfARecordedFrame) {
  SoftmmuShadow shadow(0, kFrames);
  EXPECT_EQ(shadow.virtual_address(7 * kPage + 12), SoftmmuShadow::kUnknown);
  EXPECT_FALSE(shadow.conflicts(0x401000, 7 * kPage));
  shadow.record(0x401000, 7 * kPage);
  EXPECT_EQ(shadow.virtual_address(7 * kPage + 12), 0x40100cu);
  EXPECT_EQ(shadow.virtual_address(8 * kPage), SoftmmuShadow::kUnknown);
}

TEST(SoftmmuShadow, KeepsUpperHalfAddressesCanonical) {
  SoftmmuShadow shadow(0, kFrames);
  const uint64_t vsyscall = 0xffffffffff600000;
  shadow.record(vsyscall, 3 * kPage);
  EXPECT_EQ(shadow.virtual_address(3 * kPage + 8), vsyscall + 8);
}

TEST(SoftmmuShadow, ASecondVirtualPageOfAFrameConflictsWhileTheFirstMayMapIt) {
  SoftmmuShadow shadow(0, kFrames);
  shadow.record(0x10000, 5 * kPage);
  EXPECT_FALSE(shadow.conflicts(0x10000, 5 * kPage));  // the same page again
  EXPECT_TRUE(shadow.conflicts(0x20000, 5 * kPage));   // an alias (shared or zero page)
  // The first page was refilled with another frame (a copy-on-write break leaves no flush):
  // its TLB entry no longer names frame 5.
  shadow.record(0x10000, 6 * kPage);
  EXPECT_FALSE(shadow.conflicts(0x20000, 5 * kPage));
  shadow.record(0x20000, 5 * kPage);
  EXPECT_EQ(shadow.virtual_address(5 * kPage), 0x20000u);
  EXPECT_EQ(shadow.virtual_address(6 * kPage), 0x10000u);
}

TEST(SoftmmuShadow, AForgottenLastFillCountsAsStillMapping) {
  SoftmmuShadow shadow(0, kFrames);
  shadow.record(0x10000, 5 * kPage);
  // Another page whose record shares the first page's slot in the table of last fills: what
  // the first page maps now is no longer known, so the frame may still be reachable through it.
  constexpr uint64_t kSlotsApart = uint64_t{1} << 12;
  shadow.record(0x10000 + kSlotsApart * kPage, 9 * kPage);
  EXPECT_TRUE(shadow.conflicts(0x20000, 5 * kPage));
}

TEST(SoftmmuShadow, AFlushForgetsEveryRecord) {
  SoftmmuShadow shadow(0, kFrames);
  shadow.record(0x10000, 5 * kPage);
  shadow.clear();
  EXPECT_EQ(shadow.virtual_address(5 * kPage), SoftmmuShadow::kUnknown);
  EXPECT_FALSE(shadow.conflicts(0x20000, 5 * kPage));
}

TEST(SoftmmuShadow, CountsFramesFromTheFirstFrameOfRam) {
  SoftmmuShadow shadow(256, 16);
  shadow.record(0x7000, 260 * kPage);
  EXPECT_EQ(shadow.virtual_address(260 * kPage + 1), 0x7001u);
  EXPECT_EQ(shadow.virtual_address(255 * kPage), SoftmmuShadow::kUnknown);
  EXPECT_EQ(shadow.virtual_address(272 * kPage), SoftmmuShadow::kUnknown);
  EXPECT_THROW(shadow.record(0x8000, 272 * kPage), std::out_of_range);
}

}  // namespace
}  // namespace vmlab::emulator
