// The page cache (os/page_cache.cpp): one frame per file page, shared by every reader and
// mapping; pages in use cannot be dropped; the cache and the file stay one copy.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <gtest/gtest.h>

#include "os/page_cache.h"
#include "tests/os/guest_fixture.h"

namespace vmlab::testing {
namespace {

constexpr uint64_t kPage = 4096;

class PageCacheTest : public ::testing::Test {
 protected:
  std::shared_ptr<os::vfs::Inode> data_file() {
    return guest.kernel().fs().open(kFilePath, "/", O_RDONLY, 0)->file->inode();
  }
  const uint8_t* bytes(mmu::Pfn frame) {
    return frames.memory().host(frame.address(), mmu::kPageBytes);
  }

  TestGuest guest;
  os::FrameAllocator& frames = guest.kernel().frames();
  os::PageCache cache{frames};  // a cache of its own: counts start at zero
};

TEST_F(PageCacheTest, AMissReadsTheFileAndAHitSharesTheFrame) {
  const uint64_t free_before = frames.free_frames();
  const auto inode = data_file();
  const auto first = cache.get(inode, 1);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->source, os::PageCache::Source::kFile);
  const os::Frame& f = frames.frame(first->frame);
  EXPECT_EQ(f.use, os::FrameUse::kFile);
  EXPECT_EQ(f.file_page, 1u);
  EXPECT_EQ(f.refcount, 2u);  // the cache's and the caller's
  EXPECT_EQ(bytes(first->frame)[5], file_byte(kPage + 5));
  const auto second = cache.get(inode, 1);
  EXPECT_EQ(second->source, os::PageCache::Source::kCache);
  EXPECT_EQ(second->frame, first->frame);
  EXPECT_EQ(f.refcount, 3u);
  EXPECT_EQ(cache.reads(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  frames.put(first->frame);
  frames.put(second->frame);
  EXPECT_TRUE(cache.drop(first->frame));
  EXPECT_EQ(cache.pages(), 0u);
  EXPECT_EQ(frames.free_frames(), free_before);
}

TEST_F(PageCacheTest, TheLastPageReadsZerosPastTheEndOfTheFile) {
  const auto page = cache.get(data_file(), kFilePages);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(bytes(page->frame)[kFileTail - 1], file_byte(kFilePages * kPage + kFileTail - 1));
  EXPECT_EQ(bytes(page->frame)[kFileTail], 0);
  EXPECT_EQ(bytes(page->frame)[kPage - 1], 0);
  frames.put(page->frame);
  EXPECT_EQ(cache.drop_unmapped(), 1u);
}

TEST_F(PageCacheTest, APageCannotBeDroppedWhileMapped) {
  TestGuest& g = guest;
  const int fd = g.open_file();
  const auto a = static_cast<uint64_t>(g.mmap(kPage, PROT_READ, MAP_SHARED, fd));
  g.read(a);
  const mmu::Pfn frame = g.space().read_pte(a).pfn();
  os::PageCache& kernel_cache = g.kernel().page_cache();
  EXPECT_FALSE(kernel_cache.drop(frame));
  ASSERT_EQ(g.syscall(SYS_munmap, {a, kPage}), 0);
  EXPECT_TRUE(kernel_cache.drop(frame));
  EXPECT_EQ(frames.frame(frame).use, os::FrameUse::kFree);
}

TEST_F(PageCacheTest, TheCacheAndTheFileStayOneCopy) {
  TestGuest& g = guest;
  const int fd = g.open_file();
  const auto a = static_cast<uint64_t>(g.mmap(kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd));
  EXPECT_EQ(g.peek(a + 10), file_byte(10));
  // write() refreshes the cached page a mapping sees.
  const uint64_t z = g.put_string("Z");
  ASSERT_EQ(g.syscall(SYS_pwrite64, {static_cast<uint64_t>(fd), z, 1, 10}), 1);
  EXPECT_EQ(g.peek(a + 10), 'Z');
  // A store through the mapping reaches the file on msync.
  g.poke(a + 20, 'Q');
  ASSERT_EQ(g.syscall(SYS_msync, {a, kPage, MS_SYNC}), 0);
  uint8_t byte = 0;
  ASSERT_EQ(data_file()->read(20, {&byte, 1}), 1);
  EXPECT_EQ(byte, 'Q');
}

}  // namespace
}  // namespace vmlab::testing
