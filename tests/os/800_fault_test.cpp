// The page-fault handler on the Unicorn-free machine: how each fault is classified and what
// each kind of resolution leaves in the page tables (os/fault.cpp).
#include <sys/mman.h>
#include <sys/syscall.h>

#include <gtest/gtest.h>

#include "os/pte_encoding.h"
#include "tests/os/guest_fixture.h"

namespace vmlab::testing {
namespace {

using os::FaultResolution;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kHuge = 2 << 20;

uint64_t anonymous(TestGuest& g, uint64_t pages, int prot = PROT_READ | PROT_WRITE) {
  const int64_t a = g.mmap(pages * kPage, prot, MAP_PRIVATE | MAP_ANONYMOUS);
  EXPECT_GT(a, 0);
  return static_cast<uint64_t>(a);
}

os::FrameUse use_at(TestGuest& g, uint64_t va, int pid = 0) {
  return g.kernel().frames().frame(g.space(pid).read_pte(va).pfn()).use;
}

TEST(Fault, WriteToUntouchedMemoryFillsAFreshFrame) {
  TestGuest g;
  const uint64_t a = anonymous(g, 2);
  const uint64_t before = g.space().stats().resident;
  EXPECT_EQ(g.write(a + 10), Faults{FaultResolution::kZeroFill});
  EXPECT_EQ(g.write(a + 20), Faults{});  // now mapped writable
  EXPECT_EQ(g.peek(a + 30), 0);
  EXPECT_EQ(use_at(g, a), os::FrameUse::kAnonymous);
  EXPECT_TRUE(g.space().read_pte(a).writable());
  EXPECT_EQ(g.space().stats().resident, before + 1);
}

TEST(Fault, ReadOfUntouchedMemoryMapsTheZeroPageUntilTheFirstWrite) {
  TestGuest g;
  const uint64_t a = anonymous(g, 1);
  const uint64_t before = g.space().stats().resident;
  EXPECT_EQ(g.read(a), Faults{FaultResolution::kZeroPage});
  EXPECT_EQ(g.space().read_pte(a).pfn(), g.kernel().frames().zero_frame());
  EXPECT_FALSE(g.space().read_pte(a).writable());
  EXPECT_EQ(g.space().stats().resident, before);  // the zero page is nobody's
  EXPECT_EQ(g.write(a), Faults{FaultResolution::kZeroFill});
  EXPECT_NE(g.space().read_pte(a).pfn(), g.kernel().frames().zero_frame());
  EXPECT_EQ(g.space().stats().resident, before + 1);
}

TEST(Fault, WithoutTheZeroPageAReadFillsAFrame) {
  os::KernelConfig config;
  config.zero_page = false;
  TestGuest g(config);
  const uint64_t a = anonymous(g, 1);
  EXPECT_EQ(g.read(a), Faults{FaultResolution::kZeroFill});
  EXPECT_EQ(use_at(g, a), os::FrameUse::kAnonymous);
}

TEST(Fault, FilePagesAreReadOnceThenSharedThroughThePageCache) {
  TestGuest g;
  const int fd = g.open_file();
  ASSERT_GE(fd, 0);
  const auto a = static_cast<uint64_t>(g.mmap(kFilePages * kPage, PROT_READ, MAP_PRIVATE, fd));
  const auto b = static_cast<uint64_t>(g.mmap(kFilePages * kPage, PROT_READ, MAP_PRIVATE, fd));
  EXPECT_EQ(g.read(a + kPage), Faults{FaultResolution::kFileMajor});
  EXPECT_EQ(g.read(b + kPage), Faults{FaultResolution::kFileMinor});
  EXPECT_EQ(g.space().read_pte(a + kPage).pfn(), g.space().read_pte(b + kPage).pfn());
  EXPECT_EQ(use_at(g, a + kPage), os::FrameUse::kFile);
  EXPECT_EQ(g.peek(a + kPage + 5), file_byte(kPage + 5));
  EXPECT_EQ(g.kernel().page_cache().pages(), 1u);
}

TEST(Fault, TheLastFilePageEndsInZerosAndPagesPastItRaiseSigbus) {
  TestGuest g;
  const int fd = g.open_file();
  const uint64_t tail = kFilePages * kPage;  // the page holding the file's last kFileTail bytes
  const auto a = static_cast<uint64_t>(g.mmap(tail + 2 * kPage, PROT_READ, MAP_PRIVATE, fd));
  EXPECT_EQ(g.read(a + tail), Faults{FaultResolution::kFileMajor});
  EXPECT_EQ(g.peek(a + tail + kFileTail - 1), file_byte(tail + kFileTail - 1));
  EXPECT_EQ(g.peek(a + tail + kFileTail), 0);
  bool completed = true;
  EXPECT_EQ(g.access(a + tail + kPage, mmu::Access::kRead, 0, &completed),
            Faults{FaultResolution::kBusError});
  EXPECT_FALSE(completed);
}

TEST(Fault, WritingAPrivateFilePageCopiesItAndLeavesTheFileAlone) {
  TestGuest g;
  const int fd = g.open_file();
  const auto a = static_cast<uint64_t>(g.mmap(kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd));
  const auto b = static_cast<uint64_t>(g.mmap(kPage, PROT_READ, MAP_SHARED, fd));
  EXPECT_EQ(g.read(a), Faults{FaultResolution::kFileMajor});
  EXPECT_FALSE(g.space().read_pte(a).writable());  // the page-cache page, read-only
  EXPECT_EQ(g.write(a + 1), Faults{FaultResolution::kCowCopy});
  EXPECT_EQ(use_at(g, a), os::FrameUse::kAnonymous);
  EXPECT_EQ(g.peek(a + 1), 0);
  EXPECT_EQ(g.peek(a + 2), file_byte(2));
  EXPECT_EQ(g.peek(b + 1), file_byte(1));  // the file is unchanged
}

TEST(Fault, AFirstWriteToAPrivateFilePageCopiesAtOnce) {
  TestGuest g;
  const int fd = g.open_file();
  const auto a = static_cast<uint64_t>(g.mmap(kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd));
  EXPECT_EQ(g.write(a), Faults{FaultResolution::kFileMajor});
  EXPECT_EQ(use_at(g, a), os::FrameUse::kAnonymous);
  EXPECT_TRUE(g.space().read_pte(a).writable());
  EXPECT_EQ(g.kernel().page_cache().pages(), 1u);  // read into the cache, then copied
}

TEST(Fault, ASharedFileMappingWritesThePageCachePage) {
  TestGuest g;
  const int fd = g.open_file();
  const auto a = static_cast<uint64_t>(g.mmap(kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd));
  EXPECT_EQ(g.write(a), Faults{FaultResolution::kFileMajor});
  EXPECT_EQ(use_at(g, a), os::FrameUse::kFile);
  EXPECT_TRUE(g.space().read_pte(a).writable());
}

TEST(Fault, AfterForkTheFirstWriterCopiesAndTheLastOneReuses) {
  TestGuest g;
  const uint64_t a = anonymous(g, 1);
  g.poke(a, 42);
  const int child = g.fork();
  EXPECT_EQ(g.space().read_pte(a).pfn(), g.space(child).read_pte(a).pfn());
  EXPECT_FALSE(g.space().read_pte(a).writable());
  EXPECT_EQ(g.write(a), Faults{FaultResolution::kCowCopy});
  EXPECT_NE(g.space().read_pte(a).pfn(), g.space(child).read_pte(a).pfn());
  EXPECT_EQ(g.peek(a), 0);
  EXPECT_EQ(g.peek(a, child), 42);
  // The child's frame has no other mapper left: its write makes it writable, no copy.
  const mmu::Pfn childs = g.space(child).read_pte(a).pfn();
  EXPECT_EQ(g.write(a, child), Faults{FaultResolution::kCowReuse});
  EXPECT_EQ(g.space(child).read_pte(a).pfn(), childs);
}

TEST(Fault, AccessesTheMappingForbidsRaiseSigsegv) {
  TestGuest g;
  const uint64_t ro = anonymous(g, 1, PROT_READ);
  bool completed = true;
  EXPECT_EQ(g.access(ro, mmu::Access::kWrite, 0, &completed), Faults{FaultResolution::kSegvAccErr});
  EXPECT_FALSE(completed);
  EXPECT_EQ(g.access(ro, mmu::Access::kFetch), Faults{FaultResolution::kSegvAccErr});
  EXPECT_EQ(g.access(0x10000000, mmu::Access::kRead), Faults{FaultResolution::kSegvMapErr});
  EXPECT_EQ(g.process().counters().segv, 3u);
}

TEST(Fault, AResidentProtNonePageFaultsButKeepsItsFrame) {
  TestGuest g;
  const uint64_t a = anonymous(g, 1);
  g.poke(a, 9);
  const mmu::Pfn frame = g.space().read_pte(a).pfn();
  ASSERT_EQ(g.syscall(SYS_mprotect, {a, kPage, PROT_NONE}), 0);
  const mmu::Pte entry = g.space().read_pte(a);
  EXPECT_FALSE(entry.present());
  EXPECT_EQ(os::non_present_kind(entry), os::NonPresentKind::kProtNone);
  EXPECT_EQ(g.access(a, mmu::Access::kRead), Faults{FaultResolution::kSegvAccErr});
  ASSERT_EQ(g.syscall(SYS_mprotect, {a, kPage, PROT_READ}), 0);
  EXPECT_EQ(g.read(a), Faults{});
  EXPECT_EQ(g.space().read_pte(a).pfn(), frame);
  EXPECT_EQ(g.peek(a), 9);
}

const os::Vma& stack_of(TestGuest& g) {
  for (const auto& [start, vma] : g.space().vmas())
    if (vma.grows_down) return vma;
  throw std::logic_error("no stack");
}

TEST(Fault, AnAccessJustBelowTheStackGrowsIt) {
  TestGuest g;
  const uint64_t start = stack_of(g).start, end = stack_of(g).end;
  EXPECT_EQ(g.write(start - kPage), Faults{FaultResolution::kZeroFill});
  EXPECT_EQ(stack_of(g).start, start - kPage);
  EXPECT_EQ(g.process().counters().stack_growth, 1u);
  // RLIMIT_STACK (8 MiB) bounds it.
  EXPECT_EQ(g.access(end - os::layout::kStackMax - kPage, mmu::Access::kWrite),
            Faults{FaultResolution::kSegvMapErr});
  EXPECT_EQ(stack_of(g).start, start - kPage);
}

TEST(Fault, AnAlignedRegionGetsOneHugePage) {
  os::KernelConfig config;
  config.thp = os::KernelConfig::Thp::kAlways;
  TestGuest g(config, 16 << 20);
  const uint64_t a = anonymous(g, 2 * kHuge / kPage);
  const uint64_t base = (a + kHuge - 1) & ~(kHuge - 1);
  const uint64_t before = g.space().stats().resident;
  EXPECT_EQ(g.write(base + 5 * kPage), Faults{FaultResolution::kZeroFill});
  EXPECT_TRUE(g.space().read_pte(base + kHuge - 1).page_size());
  EXPECT_EQ(g.write(base + kHuge - 1), Faults{});  // the same 2 MiB page
  EXPECT_EQ(g.space().stats().huge, 1u);
  EXPECT_EQ(g.space().stats().resident, before + 512);
  EXPECT_EQ(g.kernel().huge_pages().huge_faults, 1u);
  // Below the aligned region there is no whole 2 MiB page: small pages.
  if (base > a) {
    EXPECT_EQ(g.write(a), Faults{FaultResolution::kZeroFill});
    EXPECT_FALSE(g.space().read_pte(a).page_size());
  }
}

TEST(Fault, WithThpOnMadviseOnlyAdvisedRegionsGetHugePages) {
  os::KernelConfig config;
  config.thp = os::KernelConfig::Thp::kMadvise;
  TestGuest g(config, 16 << 20);
  const uint64_t a = anonymous(g, 3 * kHuge / kPage);
  const uint64_t base = (a + kHuge - 1) & ~(kHuge - 1);
  EXPECT_EQ(g.write(base), Faults{FaultResolution::kZeroFill});
  EXPECT_FALSE(g.space().read_pte(base).page_size());
  ASSERT_EQ(g.syscall(SYS_madvise, {base + kHuge, kHuge, MADV_HUGEPAGE}), 0);
  EXPECT_EQ(g.write(base + kHuge), Faults{FaultResolution::kZeroFill});
  EXPECT_TRUE(g.space().read_pte(base + kHuge).page_size());
}

TEST(Fault, ASwappedPageComesBackWithItsContents) {
  os::KernelConfig config;
  config.swap_bytes = 16 * kPage;
  constexpr uint64_t kRange = 0x10000000;
  config.range_limits = {{kRange, kRange + 4 * kPage, 1}};
  TestGuest g(config);
  ASSERT_EQ(g.mmap(4 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                   kRange),
            static_cast<int64_t>(kRange));
  EXPECT_EQ(g.write(kRange), Faults{FaultResolution::kZeroFill});
  g.poke(kRange, 7);
  EXPECT_EQ(g.write(kRange + kPage), Faults{FaultResolution::kZeroFill});  // evicts the first
  EXPECT_EQ(os::non_present_kind(g.space().read_pte(kRange)), os::NonPresentKind::kSwap);
  EXPECT_EQ(g.space().stats().swapped, 1u);
  EXPECT_EQ(g.read(kRange), Faults{FaultResolution::kSwapIn});
  EXPECT_EQ(g.peek(kRange), 7);
  EXPECT_EQ(g.kernel().reclaim().stats().swap_ins, 1u);
}

TEST(Fault, TheClassifierReportsReservedBitsAndSpuriousFaults) {
  TestGuest g;
  const uint64_t a = anonymous(g, 1);
  g.poke(a, 1);
  os::FaultHandler& handler = g.kernel().faults();
  EXPECT_EQ(handler.handle(g.process(), {a, mmu::Access::kRead, true, true, true}).resolution,
            FaultResolution::kBadPageTable);
  // The entry already allows the access (another CPU's fault upgraded it): nothing to do.
  EXPECT_EQ(handler.handle(g.process(), {a, mmu::Access::kWrite, true, true, false}).resolution,
            FaultResolution::kSpurious);
}

TEST(Fault, ProtectionBitsImplyReadAsOnX86) {
  os::Vma v;
  v.prot = os::prot::kExec;
  EXPECT_TRUE(os::vma_allows(v, mmu::Access::kRead));
  EXPECT_FALSE(os::vma_allows(v, mmu::Access::kWrite));
  v.prot = os::prot::kWrite;
  EXPECT_TRUE(os::vma_allows(v, mmu::Access::kRead));
  EXPECT_FALSE(os::vma_allows(v, mmu::Access::kFetch));
  v.prot = os::prot::kNone;
  EXPECT_FALSE(os::vma_allows(v, mmu::Access::kRead));
}

}  // namespace
}  // namespace vmlab::testing
