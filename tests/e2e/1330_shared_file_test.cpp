// MAP_SHARED file mappings and the file are one copy (the page cache): stores through a
// mapping reach read(), msync, munmap and a reopened file; write() reaches a mapping that
// already exists; a child's stores reach its parent. Under memory pressure, reclaim writes a
// dirty shared page back before it drops it.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

class SharedFile : public ::testing::TestWithParam<const char*> {};

TEST_P(SharedFile, IsTheFile) {
  expect_same_as_native({guest(std::string("shared_file-") + GetParam()), temp_dir()});
}

TEST_P(SharedFile, DirtyPagesAreWrittenBackWhenReclaimDropsThem) {
  const VmlabRun run = expect_same_as_native(
      {guest(std::string("shared_file-") + GetParam()), temp_dir(), "600"}, {"--ram", "1M"});
  const Json& reclaim = run.stats["reclaim"];
  EXPECT_GT(reclaim["file_writebacks"].u64(), 100u);
  EXPECT_EQ(reclaim["evictions"].u64(), reclaim["evict_clean"].u64() + reclaim["swap_outs"].u64() +
                                            reclaim["file_writebacks"].u64());
}

INSTANTIATE_TEST_SUITE_P(Libc, SharedFile, ::testing::Values("musl", "glibc"));

}  // namespace
}  // namespace vmlab::testing
