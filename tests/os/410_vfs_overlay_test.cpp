// The writable overlay: every change stays in memory, the host tree is never modified, and
// listings list the host's entries in the host's order (less whiteouts), then the overlay's own
// entries in name order.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <set>

#include "os/vfs/file_system.h"
#include "tests/os/vfs_test_support.h"

namespace vmlab::os::vfs {
namespace {

using testing::bytes;
using testing::content;
using testing::errno_of;
using testing::names;
using testing::TempTree;

constexpr uint32_t kFileMode = 0644;
constexpr uint32_t kDirMode = 0755;
constexpr Timespec kClockTime{1'700'000'000, 250};

class Overlay : public ::testing::Test {
 protected:
  Overlay() {
    tree.mkdir("data/sub");
    tree.write("data/b", "host b");
    tree.write("data/d", "host d");
    tree.write("data/sub/inner", "inner");
    tree.mkdir("empty");
    fs.set_clock([] { return kClockTime; });
  }
  std::shared_ptr<OpenFile> open(std::string_view path, int flags) {
    OpenResult r = fs.open(path, "/", flags, kFileMode);
    EXPECT_EQ(errno_of(r), 0) << path;
    return r ? r->file : nullptr;
  }
  int error_of(std::string_view path) { return errno_of(fs.resolve(path, "/", Follow::kYes)); }
  std::vector<std::string> listing(std::string_view path) {
    return names(fs.resolve(path, "/", Follow::kYes)->inode->list());
  }
  // What listing("/" + dir) must be: ".", "..", the host directory's entries in its own
  // readdir order less `gone`, then `added` (entries only the overlay has), already sorted.
  std::vector<std::string> expected_listing(const std::string& dir,
                                            const std::set<std::string>& gone,
                                            const std::vector<std::string>& added = {}) {
    std::vector<std::string> out = {".", ".."};
    DIR* host = ::opendir(tree.host(dir).c_str());
    while (const dirent* d = ::readdir(host)) {
      const std::string name = d->d_name;
      if (name != "." && name != ".." && !gone.contains(name)) out.push_back(name);
    }
    ::closedir(host);
    out.insert(out.end(), added.begin(), added.end());
    return out;
  }
  TempTree tree;
  FileSystem fs{tree.root()};
};

TEST_F(Overlay, CreateWriteAndReadBack) {
  auto file = open("/data/new", O_CREAT | O_RDWR);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->write(bytes("hello world")), 11);
  std::vector<uint8_t> out(5);
  EXPECT_EQ(file->pread(out, 6), 5);
  EXPECT_EQ(std::string(out.begin(), out.end()), "world");
  EXPECT_EQ(content(*fs.resolve("/data/new", "/", Follow::kYes)->inode), "hello world");
  EXPECT_FALSE(std::filesystem::exists(tree.host("data/new")));  // nothing reached the host
}

TEST_F(Overlay, OverlayFilesHaveSyntheticInodesAndTheClockTime) {
  const auto a = fs.create("/a", "/", kFileMode, Exclusive::kNo);
  const auto b = fs.create("/b", "/", kFileMode, Exclusive::kNo);
  ASSERT_EQ(errno_of(a), 0);
  const FileStat st = a->inode->stat();
  EXPECT_EQ(st.mode, S_IFREG | kFileMode);
  EXPECT_EQ(st.mtime, kClockTime);
  EXPECT_EQ(st.ctime, kClockTime);
  EXPECT_EQ(st.nlink, 1u);
  EXPECT_NE(st.ino, b->inode->stat().ino);
  EXPECT_NE(a->inode->cache_id(), b->inode->cache_id());
}

TEST_F(Overlay, CopyUpLeavesTheHostFileUnchanged) {
  const uint64_t host_id = fs.resolve("/data/b", "/", Follow::kYes)->inode->cache_id();
  auto file = open("/data/b", O_WRONLY | O_APPEND);
  EXPECT_EQ(file->write(bytes(" + guest")), 8);
  EXPECT_EQ(tree.read("data/b"), "host b");
  const auto now = fs.resolve("/data/b", "/", Follow::kYes);
  EXPECT_EQ(content(*now->inode), "host b + guest");
  EXPECT_NE(now->inode->cache_id(), host_id);  // the host file's cached pages are not this file
  struct stat host {};
  ASSERT_EQ(::lstat(tree.host("data/b").c_str(), &host), 0);
  EXPECT_EQ(now->inode->stat().ino, host.st_ino);  // a copy-up keeps its identity (overlayfs)
  auto truncated = open("/data/d", O_WRONLY | O_TRUNC);
  EXPECT_EQ(truncated->stat().size, 0);
  EXPECT_EQ(tree.read("data/d"), "host d");
}

TEST_F(Overlay, ReadOnlyOpensAndCreatesDoNotCopyUp) {
  auto file = open("/data/b", O_RDONLY | O_CREAT);
  EXPECT_TRUE(file->inode()->needs_copy_up());
  EXPECT_EQ(errno_of(fs.open("/data/b", "/", O_RDWR | O_CREAT | O_EXCL, kFileMode)), EEXIST);
}

TEST_F(Overlay, UnlinkWhitesOutTheHostFile) {
  EXPECT_EQ(fs.unlink("/data/b", "/"), 0);
  EXPECT_EQ(error_of("/data/b"), ENOENT);
  EXPECT_EQ(fs.unlink("/data/b", "/"), -ENOENT);
  EXPECT_EQ(tree.read("data/b"), "host b");
  EXPECT_EQ(listing("/data"), expected_listing("data", {"b"}));
  // A new file of that name starts empty: the host content stays hidden.
  const auto again = fs.create("/data/b", "/", kFileMode, Exclusive::kYes);
  ASSERT_EQ(errno_of(again), 0);
  EXPECT_EQ(again->inode->stat().size, 0);
  EXPECT_EQ(fs.unlink("/data/sub", "/"), -EISDIR);
}

TEST_F(Overlay, MergedListingKeepsTheHostsOrderThenAddsNewNames) {
  ASSERT_EQ(errno_of(fs.create("/data/c", "/", kFileMode, Exclusive::kYes)), 0);
  ASSERT_EQ(errno_of(fs.create("/data/a", "/", kFileMode, Exclusive::kYes)), 0);
  ASSERT_EQ(fs.mkdir("/data/e", "/", kDirMode), 0);
  ASSERT_EQ(fs.unlink("/data/d", "/"), 0);
  const auto entries = fs.resolve("/data", "/", Follow::kYes)->inode->list();
  EXPECT_EQ(names(entries), expected_listing("data", {"d"}, {"a", "c", "e"}));
  struct stat host_b {};
  ASSERT_EQ(::lstat(tree.host("data/b").c_str(), &host_b), 0);
  for (const DirEntry& entry : entries) {
    if (entry.name == "b") {
      EXPECT_EQ(entry.ino, host_b.st_ino);
      EXPECT_EQ(entry.type, DT_REG);
    }
    if (entry.name == "e") {
      EXPECT_EQ(entry.type, DT_DIR);
    }
  }
}

TEST_F(Overlay, MkdirAndRmdir) {
  EXPECT_EQ(fs.mkdir("/data/new", "/", kDirMode), 0);
  EXPECT_EQ(fs.mkdir("/data/new", "/", kDirMode), -EEXIST);
  EXPECT_EQ(fs.mkdir("/data/b", "/", kDirMode), -EEXIST);
  EXPECT_EQ(fs.mkdir("/missing/new", "/", kDirMode), -ENOENT);
  EXPECT_EQ(fs.resolve("/data/new", "/", Follow::kYes)->inode->stat().mode, S_IFDIR | kDirMode);
  ASSERT_EQ(errno_of(fs.create("/data/new/f", "/", kFileMode, Exclusive::kYes)), 0);
  EXPECT_EQ(fs.rmdir("/data/new", "/"), -ENOTEMPTY);
  EXPECT_EQ(fs.rmdir("/data/sub", "/"), -ENOTEMPTY);  // host content counts
  EXPECT_EQ(fs.rmdir("/data/b", "/"), -ENOTDIR);
  EXPECT_EQ(fs.rmdir("/data/.", "/"), -EINVAL);
  EXPECT_EQ(fs.rmdir("/", "/"), -EBUSY);
  EXPECT_EQ(fs.unlink("/data/new/f", "/"), 0);
  EXPECT_EQ(fs.rmdir("/data/new", "/"), 0);
  EXPECT_EQ(error_of("/data/new"), ENOENT);
}

TEST_F(Overlay, RecreatedHostDirectoryIsOpaque) {
  ASSERT_EQ(fs.unlink("/data/sub/inner", "/"), 0);
  ASSERT_EQ(fs.rmdir("/data/sub", "/"), 0);
  EXPECT_TRUE(std::filesystem::exists(tree.host("data/sub/inner")));
  ASSERT_EQ(fs.mkdir("/data/sub", "/", kDirMode), 0);
  EXPECT_EQ(listing("/data/sub"), (std::vector<std::string>{".", ".."}));
  EXPECT_EQ(error_of("/data/sub/inner"), ENOENT);
}

TEST_F(Overlay, RenameFilesAndDirectories) {
  EXPECT_EQ(fs.rename("/data/b", "/", "/data/renamed", "/"), 0);
  EXPECT_EQ(error_of("/data/b"), ENOENT);
  EXPECT_EQ(content(*fs.resolve("/data/renamed", "/", Follow::kYes)->inode), "host b");
  EXPECT_EQ(tree.read("data/b"), "host b");
  // Over an existing file: the target is replaced.
  EXPECT_EQ(fs.rename("/data/renamed", "/", "/data/d", "/"), 0);
  EXPECT_EQ(content(*fs.resolve("/data/d", "/", Follow::kYes)->inode), "host b");
  EXPECT_EQ(listing("/data"), expected_listing("data", {"b"}));
  // Overlay directories move with their content; host directories cannot move.
  ASSERT_EQ(fs.mkdir("/x", "/", kDirMode), 0);
  ASSERT_EQ(errno_of(fs.create("/x/f", "/", kFileMode, Exclusive::kYes)), 0);
  EXPECT_EQ(fs.rename("/x", "/", "/x/inside", "/"), -EINVAL);
  EXPECT_EQ(fs.rename("/x", "/", "/data/d", "/"), -ENOTDIR);
  EXPECT_EQ(fs.rename("/data/d", "/", "/empty", "/"), -EISDIR);
  EXPECT_EQ(fs.rename("/x", "/", "/data/y", "/"), 0);
  const auto moved = fs.resolve("/data/y/f", "/", Follow::kYes);
  ASSERT_EQ(errno_of(moved), 0);
  EXPECT_EQ(moved->inode->path(), "/data/y/f");
  EXPECT_EQ(fs.rename("/data/sub", "/", "/moved", "/"), -EXDEV);
  EXPECT_EQ(fs.rename("/missing", "/", "/other", "/"), -ENOENT);
  EXPECT_EQ(fs.rename("/data/d", "/", "/data/d", "/"), 0);
}

TEST_F(Overlay, RenameOverADirectoryNeedsItEmpty) {
  ASSERT_EQ(fs.mkdir("/x", "/", kDirMode), 0);
  EXPECT_EQ(fs.rename("/x", "/", "/data/sub", "/"), -ENOTEMPTY);
  ASSERT_EQ(fs.mkdir("/y", "/", kDirMode), 0);
  EXPECT_EQ(fs.rename("/x", "/", "/y", "/"), 0);
  EXPECT_EQ(error_of("/x"), ENOENT);
  EXPECT_EQ(fs.rename("/y", "/", "/empty", "/"), 0);  // an empty host directory is replaced
  EXPECT_EQ(listing("/empty"), (std::vector<std::string>{".", ".."}));
}

TEST_F(Overlay, SymlinksInTheOverlay) {
  EXPECT_EQ(fs.symlink("data/b", "/link", "/"), 0);
  EXPECT_EQ(fs.symlink("x", "/link", "/"), -EEXIST);
  EXPECT_EQ(content(*fs.resolve("/link", "/", Follow::kYes)->inode), "host b");
  const auto target = fs.readlink("/link", "/");
  ASSERT_EQ(errno_of(target), 0);
  EXPECT_EQ(*target, "data/b");
  // O_CREAT through a dangling symlink creates its target; O_EXCL refuses the link.
  EXPECT_EQ(fs.symlink("/data/made", "/dangling", "/"), 0);
  EXPECT_EQ(errno_of(fs.open("/dangling", "/", O_CREAT | O_EXCL | O_WRONLY, kFileMode)), EEXIST);
  EXPECT_NE(open("/dangling", O_CREAT | O_WRONLY), nullptr);
  EXPECT_EQ(error_of("/data/made"), 0);
  EXPECT_EQ(errno_of(fs.open("/link", "/", O_RDONLY | O_NOFOLLOW, 0)), ELOOP);
}

TEST_F(Overlay, OpenFlagErrors) {
  EXPECT_EQ(errno_of(fs.open("/data", "/", O_WRONLY, 0)), EISDIR);
  EXPECT_EQ(errno_of(fs.open("/data", "/", O_RDONLY | O_CREAT, kFileMode)), EISDIR);
  EXPECT_EQ(errno_of(fs.open("/data/b", "/", O_RDONLY | O_DIRECTORY, 0)), ENOTDIR);
  EXPECT_EQ(errno_of(fs.open("/data/nothing", "/", O_RDONLY, 0)), ENOENT);
  EXPECT_EQ(errno_of(fs.open("/data/new/", "/", O_RDWR | O_CREAT, kFileMode)), EISDIR);
  EXPECT_NE(open("/data", O_RDONLY | O_DIRECTORY), nullptr);
}

TEST_F(Overlay, OpenFileOffsetsAppendAndSeek) {
  auto file = open("/f", O_CREAT | O_RDWR);
  EXPECT_EQ(file->write(bytes("0123456789")), 10);
  EXPECT_EQ(file->seek(2, SEEK_SET), 2);
  std::vector<uint8_t> out(3);
  EXPECT_EQ(file->read(out), 3);
  EXPECT_EQ(std::string(out.begin(), out.end()), "234");
  EXPECT_EQ(file->seek(-1, SEEK_END), 9);
  EXPECT_EQ(file->seek(-20, SEEK_CUR), -EINVAL);
  EXPECT_EQ(file->seek(0, SEEK_HOLE), 10);
  EXPECT_EQ(file->seek(10, SEEK_DATA), -ENXIO);
  EXPECT_EQ(file->seek(20, SEEK_SET), 20);
  EXPECT_EQ(file->write(bytes("x")), 1);  // a gap reads as zeros
  EXPECT_EQ(file->stat().size, 21);
  auto reader = open("/f", O_RDONLY);
  EXPECT_EQ(reader->write(bytes("no")), -EBADF);
  std::vector<uint8_t> gap(1, 0xff);
  EXPECT_EQ(reader->pread(gap, 15), 1);
  EXPECT_EQ(gap[0], 0);
}

// read(fd, NULL, 0) reaches the file with an empty buffer that has no storage at all; copying
// zero bytes to it was a memcpy to a null pointer (found by fuzz/fuzz_syscalls under UBSan).
TEST_F(Overlay, EmptyReadWithoutABufferReadsNothing) {
  auto file = open("/f", O_CREAT | O_RDWR);
  EXPECT_EQ(file->write(bytes("data")), 4);
  EXPECT_EQ(file->pread({}, 0), 0);
  EXPECT_EQ(file->seek(0, SEEK_SET), 0);
  EXPECT_EQ(file->read({}), 0);
  EXPECT_EQ(file->seek(0, SEEK_CUR), 0) << "an empty read leaves the offset alone";
}

}  // namespace
}  // namespace vmlab::os::vfs
