// Path resolution stays inside the guest root: "..", absolute symlinks and escape attempts
// all land inside the temporary host tree; errors are the errno values Linux gives.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "os/vfs/file_system.h"
#include "tests/os/vfs_test_support.h"

namespace vmlab::os::vfs {
namespace {

using testing::content;
using testing::errno_of;
using testing::TempTree;

class Resolution : public ::testing::Test {
 protected:
  Resolution() {
    tree.mkdir("etc");
    tree.write("etc/passwd", "sandbox passwd\n");
    tree.mkdir("usr/lib");
    tree.write("usr/lib/data.txt", "data");
    tree.write("file", "plain");
  }
  Result<Lookup> resolve(std::string_view path, std::string_view cwd = "/",
                         Follow follow = Follow::kYes) {
    return fs.resolve(path, cwd, follow);
  }
  TempTree tree;
  FileSystem fs{tree.root()};
};

TEST_F(Resolution, AbsoluteAndRelativePathsNormalize) {
  const auto a = resolve("/usr/./lib//data.txt");
  ASSERT_EQ(errno_of(a), 0);
  EXPECT_EQ(a->path, "/usr/lib/data.txt");
  EXPECT_EQ(content(*a->inode), "data");
  const auto b = resolve("lib/../lib/data.txt", "/usr");
  ASSERT_EQ(errno_of(b), 0);
  EXPECT_EQ(b->path, "/usr/lib/data.txt");
  const auto root = resolve("/");
  ASSERT_EQ(errno_of(root), 0);
  EXPECT_EQ(root->path, "/");
  EXPECT_TRUE(root->inode->is_directory());
}

TEST_F(Resolution, DotDotAtTheRootStaysAtTheRoot) {
  const auto up = resolve("/../../..");
  ASSERT_EQ(errno_of(up), 0);
  EXPECT_EQ(up->path, "/");
  const auto passwd = resolve("../../../etc/passwd", "/usr/lib");
  ASSERT_EQ(errno_of(passwd), 0);
  EXPECT_EQ(passwd->path, "/etc/passwd");
  EXPECT_EQ(content(*passwd->inode), "sandbox passwd\n");
}

TEST_F(Resolution, RelativeSymlinkResolvesFromItsDirectory) {
  tree.symlink("lib/data.txt", "usr/link");
  const auto found = resolve("/usr/link");
  ASSERT_EQ(errno_of(found), 0);
  EXPECT_EQ(found->path, "/usr/lib/data.txt");
  EXPECT_EQ(content(*found->inode), "data");
}

TEST_F(Resolution, AbsoluteSymlinkIsReRootedInTheGuestRoot) {
  tree.symlink("/etc/passwd", "usr/passwd_link");
  const auto found = resolve("/usr/passwd_link");
  ASSERT_EQ(errno_of(found), 0);
  EXPECT_EQ(found->path, "/etc/passwd");
  EXPECT_EQ(content(*found->inode), "sandbox passwd\n");  // not the host's /etc/passwd
}

TEST_F(Resolution, SymlinkEscapesEndInsideTheRoot) {
  tree.symlink("../../../../../etc", "usr/lib/up");
  tree.symlink("/..", "rootdotdot");
  tree.symlink("/../../usr", "deep");
  const auto up = resolve("/usr/lib/up/passwd");
  ASSERT_EQ(errno_of(up), 0);
  EXPECT_EQ(up->path, "/etc/passwd");
  EXPECT_EQ(content(*up->inode), "sandbox passwd\n");
  const auto dotdot = resolve("/rootdotdot");
  ASSERT_EQ(errno_of(dotdot), 0);
  EXPECT_EQ(dotdot->path, "/");
  const auto deep = resolve("/deep/lib/data.txt");
  ASSERT_EQ(errno_of(deep), 0);
  EXPECT_EQ(deep->path, "/usr/lib/data.txt");
  // A name that exists on the host but not in the sandbox stays missing.
  EXPECT_EQ(errno_of(resolve("/rootdotdot/bin/sh")), ENOENT);
}

TEST_F(Resolution, FollowNoReturnsTheLinkItself) {
  tree.symlink("/etc/passwd", "link");
  const auto link = resolve("/link", "/", Follow::kNo);
  ASSERT_EQ(errno_of(link), 0);
  EXPECT_TRUE(link->inode->is_symlink());
  EXPECT_EQ(link->path, "/link");
  const auto target = fs.readlink("link", "/");
  ASSERT_EQ(errno_of(target), 0);
  EXPECT_EQ(*target, "/etc/passwd");
  EXPECT_EQ(errno_of(fs.readlink("/file", "/")), EINVAL);
  EXPECT_EQ(errno_of(fs.readlink("/missing", "/")), ENOENT);
  // A trailing slash forces the final symlink to be followed.
  tree.symlink("usr", "usrlink");
  const auto dir = resolve("/usrlink/", "/", Follow::kNo);
  ASSERT_EQ(errno_of(dir), 0);
  EXPECT_EQ(dir->path, "/usr");
}

TEST_F(Resolution, SymlinkLoopsGiveEloop) {
  tree.symlink("b", "a");
  tree.symlink("a", "b");
  tree.symlink("self", "self");
  EXPECT_EQ(errno_of(resolve("/a")), ELOOP);
  EXPECT_EQ(errno_of(resolve("/self/x")), ELOOP);
  // Not following the last component does not touch the loop.
  EXPECT_EQ(errno_of(resolve("/a", "/", Follow::kNo)), 0);
}

TEST_F(Resolution, FortySymlinksAreFollowedButNotFortyOne) {
  // chain0 -> chain1 -> ... -> chain40 -> file: resolving chainN follows 41 - N links.
  constexpr int kChain = kMaxSymlinkFollows + 1;
  tree.symlink("file", "chain" + std::to_string(kChain - 1));
  for (int i = kChain - 2; i >= 0; --i)
    tree.symlink("chain" + std::to_string(i + 1), "chain" + std::to_string(i));
  EXPECT_EQ(errno_of(resolve("/chain0")), ELOOP);
  const auto forty = resolve("/chain1");
  ASSERT_EQ(errno_of(forty), 0);
  EXPECT_EQ(forty->path, "/file");
}

TEST_F(Resolution, MissingAndNonDirectoryComponents) {
  EXPECT_EQ(errno_of(resolve("/nope")), ENOENT);
  EXPECT_EQ(errno_of(resolve("/nope/x")), ENOENT);
  EXPECT_EQ(errno_of(resolve("/file/x")), ENOTDIR);
  EXPECT_EQ(errno_of(resolve("/file/")), ENOTDIR);
  EXPECT_EQ(errno_of(resolve("/file/..")), ENOTDIR);
  EXPECT_EQ(errno_of(resolve("")), ENOENT);
  EXPECT_EQ(errno_of(resolve("x", "/file")), ENOTDIR);
  EXPECT_EQ(errno_of(resolve(std::string(NAME_MAX + 1, 'n'))), ENAMETOOLONG);
}

TEST_F(Resolution, HostStatPassesThrough) {
  struct stat host {};
  ASSERT_EQ(::lstat(tree.host("usr/lib/data.txt").c_str(), &host), 0);
  const FileStat st = resolve("/usr/lib/data.txt")->inode->stat();
  EXPECT_EQ(st.ino, host.st_ino);
  EXPECT_EQ(st.dev, host.st_dev);
  EXPECT_EQ(st.mode, host.st_mode);
  EXPECT_EQ(st.size, 4);
  EXPECT_EQ(st.mtime.sec, host.st_mtim.tv_sec);
  EXPECT_EQ(st.mtime.nsec, host.st_mtim.tv_nsec);
}

TEST_F(Resolution, SameHostFileHasTheSameCacheId) {
  tree.symlink("usr/lib/data.txt", "alias");
  const auto a = resolve("/usr/lib/data.txt");
  const auto b = resolve("/alias");
  const auto other = resolve("/file");
  EXPECT_NE(a->inode, b->inode);  // two openings, two host descriptors
  EXPECT_EQ(a->inode->cache_id(), b->inode->cache_id());
  EXPECT_NE(a->inode->cache_id(), other->inode->cache_id());
  EXPECT_NE(a->inode->cache_id(), kNoCacheId);
  EXPECT_EQ(resolve("/usr")->inode->cache_id(), kNoCacheId);
}

TEST_F(Resolution, DevIsSynthesizedEvenWithoutAHostDev) {
  const auto null = resolve("/dev/null");
  ASSERT_EQ(errno_of(null), 0);
  EXPECT_TRUE(S_ISCHR(null->inode->stat().mode));
  EXPECT_EQ(resolve("/dev/../dev/zero")->path, "/dev/zero");
  EXPECT_EQ(errno_of(fs.open("/dev/tty", "/", O_RDWR, 0)), ENXIO);
  EXPECT_EQ(errno_of(resolve("/dev/sda")), ENOENT);
}

TEST(ResolutionHostRoot, HostDevIsHiddenBehindTheSyntheticOne) {
  FileSystem fs("/");
  EXPECT_EQ(errno_of(fs.resolve("/dev/null", "/", Follow::kYes)), 0);
  EXPECT_EQ(errno_of(fs.resolve("/dev/shm", "/", Follow::kYes)), ENOENT);
}

TEST(ResolutionHostRoot, RootMustBeADirectory) {
  EXPECT_THROW(FileSystem("/definitely/not/here"), std::invalid_argument);
}

}  // namespace
}  // namespace vmlab::os::vfs
