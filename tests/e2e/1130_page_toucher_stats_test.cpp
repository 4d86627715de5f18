// Statistics that the program determines exactly.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

// page_toucher-rt's own start-up: execve writes the initial stack (1 zero-fill fault), and the
// program reads its code page and its read-only data page (2 file faults, major: the first
// read of those file pages).
constexpr uint64_t kStartupZeroFill = 1;
constexpr uint64_t kStartupFileFaults = 2;

TEST(PageToucher, EachFreshPageWrittenIsOneZeroFillFault) {
  for (uint64_t pages : {1, 10, 100, 1000}) {
    const VmlabRun run = run_vmlab({}, {guest("page_toucher-rt"), std::to_string(pages), "1", "w"});
    ASSERT_EQ(run.result.status, 0) << run.result.err;
    const Json& f = run.stats["faults"];
    EXPECT_EQ(f["zero_fill"].u64(), pages + kStartupZeroFill) << pages;
    EXPECT_EQ(f["file"].u64(), kStartupFileFaults);
    EXPECT_EQ(f["major"].u64(), kStartupFileFaults);
    EXPECT_EQ(f["minor"].u64(), pages + kStartupZeroFill);
    EXPECT_EQ(f["cow"].u64(), 0u);
    EXPECT_EQ(run.stats["processes"][0]["peak_resident_pages"].u64(),
              pages + kStartupZeroFill + kStartupFileFaults);
    expect_no_frame_leak(run.stats);
  }
}

TEST(PageToucher, ReadingUntouchedMemoryMapsTheZeroPage) {
  const VmlabRun run = run_vmlab({}, {guest("page_toucher-rt"), "50", "1", "r"});
  ASSERT_EQ(run.result.status, 0);
  EXPECT_EQ(run.result.out, "touched 50 pages x 1 rounds, checksum 0\n");
  EXPECT_EQ(run.stats["faults"]["zero_page"].u64(), 50u);
  EXPECT_EQ(run.stats["faults"]["zero_fill"].u64(), kStartupZeroFill);
}

TEST(PageToucher, WritingAfterReadingReplacesTheZeroPage) {
  const VmlabRun without =
      run_vmlab({"--zero-page", "off"}, {guest("page_toucher-rt"), "20", "1", "r"});
  EXPECT_EQ(without.stats["faults"]["zero_page"].u64(), 0u);
  EXPECT_EQ(without.stats["faults"]["zero_fill"].u64(), 20 + kStartupZeroFill);
}

TEST(PageToucher, ConsecutivePagesFitTheSecondLevelTlb) {
  // 512 pages overflow the 64-entry L1 DTLB every round but fit the 1536-entry L2: after the
  // first round the L2 serves them. In the first round each page misses twice: the access that
  // faults (a failed walk fills no TLB) and its retry after the kernel mapped the page.
  const VmlabRun run = run_vmlab({}, {guest("page_toucher-rt"), "512", "1", "w", "4"});
  ASSERT_EQ(run.result.status, 0);
  const Json& tlb = run.stats["tlb"];
  EXPECT_GE(tlb["l1d"]["misses"].u64(), 512u * 4);
  EXPECT_GE(tlb["l2"]["misses"].u64(), 2u * 512);
  EXPECT_LT(tlb["l2"]["misses"].u64(), 2u * 512 + 20) << "only the first round misses the L2";
}

TEST(PageToucher, StridedPagesConflictInTheSecondLevelTlb) {
  // Eight pages apart, the 512 pages use only 16 of the L2's 128 sets (set = VPN mod 128):
  // 16 sets x 12 ways = 192 entries for 512 pages, so every round misses again.
  const VmlabRun run = run_vmlab({}, {guest("page_toucher-rt"), "512", "8", "w", "4"});
  ASSERT_EQ(run.result.status, 0);
  EXPECT_GE(run.stats["tlb"]["l2"]["misses"].u64(), 512u * 4);
}

TEST(PageToucher, InstructionCountIsExact) {
  // The loop runs the same instructions per page: counts grow exactly linearly.
  auto insns = [](uint64_t pages) {
    return run_vmlab({}, {guest("page_toucher-rt"), std::to_string(pages), "1", "w"})
        .stats["instructions"]
        .u64();
  };
  const uint64_t a = insns(100), b = insns(200), c = insns(300);
  EXPECT_EQ(b - a, c - b);
  EXPECT_GT(b - a, 0u);
}

}  // namespace
}  // namespace vmlab::testing
