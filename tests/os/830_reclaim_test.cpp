// Reclaim decisions on the Unicorn-free machine (os/reclaim.cpp): what is evicted and how
// (swap-out, clean drop, page-cache drop), when nothing may be evicted, and the textbook
// results of the policies when the kernel, not a simulator, carries them out.
#include <sys/mman.h>

#include <gtest/gtest.h>

#include "tests/os/guest_fixture.h"

namespace vmlab::testing {
namespace {

using os::FaultResolution;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kRange = 0x10000000;  // the limited range (--limit-range)

os::KernelConfig limited(uint64_t range_pages, uint64_t limit, uint64_t swap_pages,
                         const char* policy = "fifo") {
  os::KernelConfig c;
  c.policy = policy;
  c.swap_bytes = swap_pages * kPage;
  c.range_limits = {{kRange, kRange + range_pages * kPage, limit}};
  return c;
}

void map_range(TestGuest& g, uint64_t pages, int fd = -1, int prot = PROT_READ | PROT_WRITE) {
  const int flags = MAP_PRIVATE | MAP_FIXED | (fd < 0 ? MAP_ANONYMOUS : 0);
  ASSERT_EQ(g.mmap(pages * kPage, prot, flags, fd, kRange), static_cast<int64_t>(kRange));
}

// Writes page k of the range for each k of `pages` (numbered from 1); the touches that faulted.
uint64_t faulting_touches(TestGuest& g, const std::vector<uint64_t>& pages) {
  uint64_t n = 0;
  for (uint64_t p : pages)
    n += g.write(kRange + (p - 1) * kPage).empty() ? 0 : 1;
  return n;
}

const std::vector<uint64_t> kBelady = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};

uint64_t belady_faults(const char* policy, uint64_t frames) {
  TestGuest g(limited(5, frames, 16, policy));
  map_range(g, 5);
  return faulting_touches(g, kBelady);
}

TEST(Reclaim, FifoThroughTheKernelShowsBeladysAnomaly) {
  EXPECT_EQ(belady_faults("fifo", 3), 9u);
  EXPECT_EQ(belady_faults("fifo", 4), 10u);
}

TEST(Reclaim, LruThroughTheKernelFollowsEveryAccess) {
  EXPECT_EQ(belady_faults("lru", 3), 10u);
  EXPECT_EQ(belady_faults("lru", 4), 8u);
}

TEST(Reclaim, DirtyPagesAreWrittenToSwapAndCleanCopiesDroppedWithoutIo) {
  TestGuest g(limited(2, 1, 16));
  map_range(g, 2);
  g.write(kRange);                                              // A
  g.write(kRange + kPage);                                      // B evicts A: written to swap
  EXPECT_EQ(g.read(kRange), Faults{FaultResolution::kSwapIn});  // A evicts B: written
  EXPECT_EQ(g.read(kRange + kPage), Faults{FaultResolution::kSwapIn});
  // A was only read since it came back: its swap copy is still good, no write needed.
  const os::ReclaimStats& s = g.kernel().reclaim().stats();
  EXPECT_EQ(s.swap_outs, 2u);
  EXPECT_EQ(s.evict_clean, 1u);
  EXPECT_EQ(s.swap_ins, 2u);
  EXPECT_EQ(s.limit_reclaims, 3u);
  EXPECT_EQ(g.space().stats().swapped, 1u);
}

TEST(Reclaim, WithoutSwapALimitThatLeavesNothingToEvictKillsTheProcess) {
  TestGuest g(limited(2, 1, 0));
  map_range(g, 2);
  EXPECT_EQ(g.write(kRange), Faults{FaultResolution::kZeroFill});
  bool completed = true;
  EXPECT_EQ(g.access(kRange + kPage, mmu::Access::kWrite, 0, &completed),
            Faults{FaultResolution::kLimitExceeded});
  EXPECT_FALSE(completed);
  const os::Process* p = g.kernel().find(g.pid());  // killed, and reaped: it was init
  EXPECT_TRUE(p == nullptr || p->state() == os::ProcessState::kZombie);
  EXPECT_EQ(g.kernel().reclaim().stats().limit_reclaims, 0u);
}

TEST(Reclaim, AFullSwapDeviceStopsSwapOut) {
  TestGuest g(limited(3, 1, 1));
  map_range(g, 3);
  g.write(kRange);
  EXPECT_EQ(g.write(kRange + kPage), Faults{FaultResolution::kZeroFill});  // A takes the slot
  EXPECT_EQ(g.kernel().reclaim().swap()->used(), 1u);
  EXPECT_EQ(g.write(kRange + 2 * kPage), Faults{FaultResolution::kLimitExceeded});
}

TEST(Reclaim, FilePagesAreDroppedFromThePageCacheAndReadAgain) {
  TestGuest g(limited(kFilePages, 1, 16));
  const int fd = g.open_file();
  map_range(g, kFilePages, fd, PROT_READ);
  EXPECT_EQ(g.read(kRange), Faults{FaultResolution::kFileMajor});
  EXPECT_EQ(g.read(kRange + kPage), Faults{FaultResolution::kFileMajor});
  const os::ReclaimStats& s = g.kernel().reclaim().stats();
  EXPECT_EQ(s.file_drops, 1u);
  EXPECT_EQ(s.swap_outs, 0u);
  EXPECT_EQ(g.kernel().page_cache().pages(), 1u);
  EXPECT_EQ(g.read(kRange), Faults{FaultResolution::kFileMajor});
  EXPECT_EQ(g.peek(kRange + 3), file_byte(3));
  EXPECT_EQ(s.refaults, 1u);
  EXPECT_EQ(s.refaults_file, 1u);
}

TEST(Reclaim, AProcessLimitKeepsTheResidentSetWithinItAndLosesNoData) {
  os::KernelConfig c;
  c.swap_bytes = 64 * kPage;
  c.policy = "clock";
  TestGuest probe;  // how many pages the program holds before it touches anything
  c.process_limit_pages = probe.space().stats().resident + 4;
  TestGuest g(c);
  const auto a = static_cast<uint64_t>(
      g.mmap(20 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS));
  for (uint64_t i = 0; i < 20; ++i) {
    g.poke(a + i * kPage, static_cast<uint8_t>(i + 1));
    EXPECT_LE(g.space().stats().resident, c.process_limit_pages);
  }
  for (uint64_t i = 0; i < 20; ++i)
    EXPECT_EQ(g.peek(a + i * kPage), i + 1);
  EXPECT_GE(g.kernel().reclaim().stats().evictions, 16u);  // 20 new pages, 4 free places
}

}  // namespace
}  // namespace vmlab::testing
