// Descriptor tables: lowest-free allocation, dup family semantics, per-descriptor
// close-on-exec, the 1024 limit, and fork copies that share open file descriptions.
#include <fcntl.h>

#include <cerrno>

#include "os/vfs/fd_table.h"
#include "os/vfs/file_system.h"
#include "tests/os/vfs_test_support.h"

namespace vmlab::os::vfs {
namespace {

using testing::bytes;

class Fds : public ::testing::Test {
 protected:
  std::shared_ptr<OpenFile> zero() { return fs.open("/dev/zero", "/", O_RDONLY, 0)->file; }
  FileSystem fs;
  FdTable table;
};

TEST_F(Fds, LowestFreeDescriptorIsAllocated) {
  EXPECT_EQ(table.allocate(zero(), false), 0);
  EXPECT_EQ(table.allocate(zero(), false), 1);
  EXPECT_EQ(table.allocate(zero(), false), 2);
  EXPECT_EQ(table.close(1), 0);
  EXPECT_EQ(table.allocate(zero(), false), 1);
  EXPECT_EQ(table.allocate(zero(), false, 10), 10);
  EXPECT_EQ(table.allocate(zero(), false, 5), 5);
  EXPECT_EQ(table.open_fds(), (std::vector<int>{0, 1, 2, 5, 10}));
}

TEST_F(Fds, BadDescriptors) {
  EXPECT_EQ(table.get(0), nullptr);
  EXPECT_EQ(table.close(0), -EBADF);
  EXPECT_EQ(table.close(-1), -EBADF);
  EXPECT_EQ(table.dup(3), -EBADF);
  EXPECT_EQ(table.dup2(3, 4), -EBADF);
  EXPECT_EQ(table.fd_flags(3), -EBADF);
  EXPECT_EQ(table.install(FdTable::kMaxFds, zero(), false), -EBADF);
  ASSERT_EQ(table.install(0, zero(), false), 0);
  EXPECT_EQ(table.close(0), 0);
  EXPECT_EQ(table.close(0), -EBADF);
}

TEST_F(Fds, DupSharesTheOpenFileAndClearsCloseOnExec) {
  ASSERT_EQ(table.install(3, zero(), true), 3);
  EXPECT_EQ(table.dup(3), 0);
  EXPECT_EQ(table.get(0), table.get(3));
  EXPECT_EQ(table.fd_flags(3), FD_CLOEXEC);
  EXPECT_EQ(table.fd_flags(0), 0);
  EXPECT_EQ(table.dup(3, 7, true), 7);  // F_DUPFD_CLOEXEC
  EXPECT_EQ(table.fd_flags(7), FD_CLOEXEC);
  EXPECT_EQ(table.dup(3, FdTable::kMaxFds), -EINVAL);
  EXPECT_EQ(table.dup(3, -1), -EINVAL);
}

TEST_F(Fds, Dup2AndDup3) {
  ASSERT_EQ(table.install(0, zero(), true), 0);
  ASSERT_EQ(table.install(1, zero(), false), 1);
  EXPECT_EQ(table.dup2(0, 0), 0);  // same descriptor: nothing changes, not even cloexec
  EXPECT_EQ(table.fd_flags(0), FD_CLOEXEC);
  EXPECT_EQ(table.dup2(0, 1), 1);  // replaces what was at 1
  EXPECT_EQ(table.get(1), table.get(0));
  EXPECT_EQ(table.fd_flags(1), 0);
  EXPECT_EQ(table.dup2(0, FdTable::kMaxFds), -EBADF);
  EXPECT_EQ(table.dup3(0, 0, 0), -EINVAL);
  EXPECT_EQ(table.dup3(0, 5, O_NONBLOCK), -EINVAL);
  EXPECT_EQ(table.dup3(0, 5, O_CLOEXEC), 5);
  EXPECT_EQ(table.fd_flags(5), FD_CLOEXEC);
  EXPECT_EQ(table.dup3(9, 5, 0), -EBADF);
}

TEST_F(Fds, CloseOnExecClosesOnlyMarkedDescriptors) {
  ASSERT_EQ(table.install(0, zero(), false), 0);
  ASSERT_EQ(table.install(1, zero(), true), 1);
  ASSERT_EQ(table.install(2, zero(), false), 2);
  EXPECT_EQ(table.set_fd_flags(2, FD_CLOEXEC), 0);
  EXPECT_EQ(table.set_fd_flags(0, 0), 0);
  table.close_on_exec();
  EXPECT_EQ(table.open_fds(), (std::vector<int>{0}));
  table.close_all();
  EXPECT_TRUE(table.open_fds().empty());
}

TEST_F(Fds, LimitIsEmfile) {
  for (int fd = 0; fd < FdTable::kMaxFds; ++fd)
    ASSERT_EQ(table.allocate(zero(), false), fd);
  EXPECT_EQ(table.allocate(zero(), false), -EMFILE);
  EXPECT_EQ(table.dup(0), -EMFILE);
  EXPECT_EQ(table.close(FdTable::kMaxFds - 1), 0);
  EXPECT_EQ(table.dup(0), FdTable::kMaxFds - 1);
}

TEST_F(Fds, ForkCopySharesOffsetsButNotDescriptors) {
  testing::TempTree tree;
  tree.write("f", "0123456789");
  FileSystem rooted(tree.root());
  ASSERT_EQ(table.install(3, rooted.open("/f", "/", O_RDONLY, 0)->file, false), 3);
  FdTable child = table;
  std::vector<uint8_t> out(4);
  EXPECT_EQ(child.get(3)->read(out), 4);
  EXPECT_EQ(table.get(3)->read(out), 4);  // continues where the child stopped
  EXPECT_EQ(std::string(out.begin(), out.end()), "4567");
  EXPECT_EQ(child.close(3), 0);
  EXPECT_NE(table.get(3), nullptr);
  EXPECT_EQ(child.allocate(zero(), false), 0);
  EXPECT_EQ(table.get(0), nullptr);
}

TEST_F(Fds, ClosingTheLastDescriptorClosesThePipeEnd) {
  PipeEnds p = fs.make_pipe();
  ASSERT_EQ(table.install(4, p.write, false), 4);
  ASSERT_EQ(table.dup(4), 0);
  FdTable child = table;
  p.write.reset();
  table.close_all();
  EXPECT_EQ(p.read->writers(), 1u);  // the fork copy still holds it
  child.close(4);
  EXPECT_EQ(p.read->writers(), 1u);
  child.close(0);
  EXPECT_EQ(p.read->writers(), 0u);
}

}  // namespace
}  // namespace vmlab::os::vfs
