// One definition of resident, swapped, shared and dirty pages (os/residency.cpp), as Linux
// counts them: a resident PROT_NONE page is in core and in RSS, the zero page is in core but
// in no RSS, a swapped page is in VmSwap and in core only while the swap cache holds it, a
// 2 MiB page is 512 pages of both. mincore(2) answers from the same definition.
#include <sys/mman.h>
#include <sys/syscall.h>

#include <gtest/gtest.h>

#include <set>

#include "os/memory_invariants.h"
#include "os/residency.h"
#include "tests/os/guest_fixture.h"

namespace vmlab::testing {
namespace {

using Bytes = std::vector<uint8_t>;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kHuge = 2 << 20;
constexpr uint64_t kRange = 0x10000000;

uint64_t anonymous(TestGuest& g, uint64_t pages, int flags = MAP_PRIVATE) {
  return static_cast<uint64_t>(
      g.mmap(pages * kPage, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS));
}

os::ResidentSet resident(TestGuest& g, uint64_t start, uint64_t end, int pid = 0) {
  return os::resident_set(g.kernel().frames(), g.space(pid), start, end);
}

Bytes in_core(TestGuest& g, uint64_t start, uint64_t end, int pid = 0) {
  return os::in_core(g.kernel().frames(), g.kernel().reclaim().swap(), g.space(pid), start, end);
}

// mincore(2) as the guest calls it: the vector it writes, or {-errno} as one byte.
Bytes mincore(TestGuest& g, uint64_t start, uint64_t length) {
  const uint64_t vec = kData + kDataFileBytes;  // .bss
  const int64_t r = g.syscall(SYS_mincore, {start, length, vec});
  if (r != 0) return {static_cast<uint8_t>(-r)};
  Bytes out;
  for (uint64_t i = 0; i < (length + kPage - 1) / kPage; ++i)
    out.push_back(g.peek(vec + i));
  return out;
}

void expect_counters_agree(TestGuest& g) {
  EXPECT_EQ(os::check_memory_invariants(g.kernel()), std::vector<std::string>{});
}

TEST(Residency, AProtNonePageStaysResidentAndInCore) {
  TestGuest g;
  const uint64_t a = anonymous(g, 2);
  g.poke(a, 1);
  ASSERT_EQ(g.syscall(SYS_mprotect, {a, 2 * kPage, PROT_NONE}), 0);
  EXPECT_EQ(resident(g, a, a + 2 * kPage).anonymous, 1u);
  EXPECT_EQ(in_core(g, a, a + 2 * kPage), (Bytes{1, 0}));
  EXPECT_EQ(mincore(g, a, 2 * kPage), (Bytes{1, 0}));
  expect_counters_agree(g);
}

TEST(Residency, TheZeroPageIsInCoreButInNoResidentSet) {
  TestGuest g;
  const uint64_t a = anonymous(g, 1);
  g.read(a);
  const os::ResidentSet r = resident(g, a, a + kPage);
  EXPECT_EQ(r.rss(), 0u);
  EXPECT_EQ(r.zero_page, 1u);
  EXPECT_EQ(mincore(g, a, kPage), Bytes{1});
  ASSERT_EQ(g.syscall(SYS_mprotect, {a, kPage, PROT_NONE}), 0);  // still the zero page
  EXPECT_EQ(mincore(g, a, kPage), Bytes{1});
  EXPECT_EQ(resident(g, a, a + kPage).rss(), 0u);
  expect_counters_agree(g);
}

TEST(Residency, ASwappedPageIsInVmSwapAndInCoreOnlyWhileTheSwapCacheHoldsIt) {
  os::KernelConfig c;
  c.swap_bytes = 16 * kPage;
  c.range_limits = {{kRange, kRange + 2 * kPage, 1}};
  TestGuest g(c);
  ASSERT_EQ(g.mmap(2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                   kRange),
            static_cast<int64_t>(kRange));
  g.poke(kRange, 1);
  g.poke(kRange + kPage, 2);  // the first page goes to swap
  const os::ResidentSet r = resident(g, kRange, kRange + 2 * kPage);
  EXPECT_EQ(r.swapped, 1u);
  EXPECT_EQ(r.rss(), 1u);
  EXPECT_EQ(mincore(g, kRange, 2 * kPage), (Bytes{0, 1}));
  // The child shares the swap entry; the parent reads the page back into the swap cache,
  // where the child's entry finds it too (Linux's mincore_swap). Making room for it in the
  // parent's range evicts the second page from both processes.
  const int child = g.fork();
  g.read(kRange);
  EXPECT_EQ(in_core(g, kRange, kRange + 2 * kPage, child), (Bytes{1, 0}));
  EXPECT_EQ(resident(g, kRange, kRange + 2 * kPage, child).swapped, 2u);
  EXPECT_EQ(resident(g, kRange, kRange + 2 * kPage).swapped, 1u);
  expect_counters_agree(g);
}

TEST(Residency, AHugePageIs512PagesInCoreAndResident) {
  os::KernelConfig c;
  c.thp = os::KernelConfig::Thp::kAlways;
  TestGuest g(c, 16 << 20);
  const uint64_t a = anonymous(g, 2 * kHuge / kPage);
  const uint64_t base = (a + kHuge - 1) & ~(kHuge - 1);
  g.poke(base, 1);
  const os::ResidentSet r = resident(g, base, base + kHuge);
  EXPECT_EQ(r.anonymous, 512u);
  EXPECT_EQ(r.huge, 512u);
  EXPECT_EQ(in_core(g, base, base + kHuge), Bytes(512, 1));
  EXPECT_EQ(mincore(g, base + kHuge - 2 * kPage, 3 * kPage), (Bytes{1, 1, 0}));
  // Part of a huge page counts only its part.
  EXPECT_EQ(resident(g, base + kPage, base + 3 * kPage).rss(), 2u);
  expect_counters_agree(g);
}

TEST(Residency, SharedAnonymousMemoryIsShmemAndForkedPagesAreShared) {
  TestGuest g;
  const uint64_t shm = anonymous(g, 1, MAP_SHARED);
  const uint64_t priv = anonymous(g, 1);
  g.poke(shm, 1);
  g.poke(priv, 2);
  const int child = g.fork();
  const os::ResidentSet s = resident(g, shm, shm + kPage, child);
  EXPECT_EQ(s.shmem, 1u);
  EXPECT_EQ(s.anonymous, 0u);
  EXPECT_EQ(s.shared, 1u);
  EXPECT_EQ(s.dirty, 1u);
  const os::ResidentSet p = resident(g, priv, priv + kPage, child);
  EXPECT_EQ(p.anonymous, 1u);
  EXPECT_EQ(p.shared, 1u);
  expect_counters_agree(g);
}

TEST(Residency, FilePagesAreFileResidentAndCleanUntilWritten) {
  TestGuest g;
  const int fd = g.open_file();
  const auto a = static_cast<uint64_t>(g.mmap(2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd));
  g.read(a);
  g.poke(a + kPage, 3);
  const os::ResidentSet r = resident(g, a, a + 2 * kPage);
  EXPECT_EQ(r.file, 2u);
  EXPECT_EQ(r.dirty, 1u);
  expect_counters_agree(g);
}

// The short answer every page-table write asks (counted in RSS or not) agrees with the whole
// classification on every kind of leaf: resident, PROT_NONE, the zero page, swapped, a huge
// page, shared anonymous memory, a file page, and a forked child's copy-on-write pages.
TEST(Residency, TheRssShortcutAgreesWithTheClassificationOnEveryKindOfLeaf) {
  os::KernelConfig c;
  c.thp = os::KernelConfig::Thp::kAlways;
  c.swap_bytes = 16 * kPage;
  c.range_limits = {{kRange, kRange + 2 * kPage, 1}};
  TestGuest g(c, 16 << 20);
  ASSERT_EQ(g.mmap(2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                   kRange),
            static_cast<int64_t>(kRange));
  g.poke(kRange, 1);
  g.poke(kRange + kPage, 2);  // the first page goes to swap
  const uint64_t none = anonymous(g, 1);
  g.poke(none, 3);
  ASSERT_EQ(g.syscall(SYS_mprotect, {none, kPage, PROT_NONE}), 0);
  g.read(anonymous(g, 1));  // the zero page
  const uint64_t huge = anonymous(g, 2 * kHuge / kPage);
  g.poke((huge + kHuge - 1) & ~(kHuge - 1), 4);
  g.poke(anonymous(g, 1, MAP_SHARED), 5);
  g.read(static_cast<uint64_t>(g.mmap(kPage, PROT_READ, MAP_SHARED, g.open_file())));
  const int child = g.fork();

  std::set<os::PageState> seen;
  for (const int pid : {0, child}) {
    g.space(pid).for_each_leaf([&](uint64_t va, mmu::Pte entry) {
      const os::PageState state = os::classify_leaf(g.kernel().frames(), entry).state;
      seen.insert(state);
      EXPECT_EQ(os::counts_in_rss(g.kernel().frames(), entry), os::counts_in_rss(state))
          << "pid " << pid << ", leaf at " << std::hex << va << ": " << entry.raw();
    });
  }
  EXPECT_EQ(seen, (std::set<os::PageState>{os::PageState::kResident, os::PageState::kZeroPage,
                                           os::PageState::kSwapped}));
  expect_counters_agree(g);
}

TEST(Residency, MincoreRefusesHolesAndUnalignedStarts) {
  TestGuest g;
  const uint64_t a = anonymous(g, 3);
  ASSERT_EQ(g.syscall(SYS_munmap, {a + kPage, kPage}), 0);
  EXPECT_EQ(mincore(g, a, 3 * kPage), Bytes{ENOMEM});
  EXPECT_EQ(mincore(g, a + 1, kPage), Bytes{EINVAL});
  EXPECT_EQ(mincore(g, a, 1), Bytes{0});  // a partial page counts whole
}

}  // namespace
}  // namespace vmlab::testing
