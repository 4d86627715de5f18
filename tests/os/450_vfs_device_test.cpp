// The synthesized devices: /dev/null and /dev/zero as on Linux, /dev/urandom and /dev/random
// deterministic per seed, /dev/tty unavailable; and the host stream pass-through.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "os/vfs/file_system.h"
#include "os/vfs/special_files.h"
#include "tests/os/vfs_test_support.h"

namespace vmlab::os::vfs {
namespace {

using testing::bytes;
using testing::errno_of;
using testing::names;

constexpr uint64_t kSeed = 42;
constexpr size_t kSample = 64;

std::vector<uint8_t> read_random(FileSystem& fs, const char* path) {
  std::vector<uint8_t> out(kSample);
  auto file = fs.open(path, "/", O_RDONLY, 0)->file;
  EXPECT_EQ(file->read(out), static_cast<int64_t>(kSample));
  return out;
}

TEST(Devices, NullAndZero) {
  FileSystem fs("/", kSeed);
  auto null = fs.open("/dev/null", "/", O_RDWR | O_TRUNC, 0)->file;
  ASSERT_NE(null, nullptr);
  std::vector<uint8_t> out(8, 0xff);
  EXPECT_EQ(null->read(out), 0);
  EXPECT_EQ(null->write(bytes("gone")), 4);
  EXPECT_EQ(null->seek(100, SEEK_SET), 0);
  EXPECT_EQ(null->inode(), nullptr);
  EXPECT_EQ(null->describe(), "/dev/null");
  EXPECT_EQ(null->stat().rdev, makedev(1, 3));
  auto zero = fs.open("/dev/zero", "/", O_RDONLY, 0)->file;
  EXPECT_EQ(zero->read(out), 8);
  EXPECT_EQ(out, std::vector<uint8_t>(8, 0));
  EXPECT_EQ(zero->write(bytes("x")), -EBADF);
}

TEST(Devices, RandomIsDeterministicPerSeed) {
  FileSystem a("/", kSeed);
  FileSystem b("/", kSeed);
  FileSystem c("/", kSeed + 1);
  const auto first = read_random(a, "/dev/urandom");
  EXPECT_EQ(first, read_random(b, "/dev/urandom"));
  EXPECT_NE(first, read_random(c, "/dev/urandom"));
  EXPECT_NE(first, read_random(a, "/dev/urandom"));  // the stream moves on
  EXPECT_NE(first, std::vector<uint8_t>(kSample, 0));
  EXPECT_EQ(a.open("/dev/random", "/", O_WRONLY, 0)->file->write(bytes("seed")), 4);
}

TEST(Devices, DevListingAndStat) {
  FileSystem fs;
  const auto dev = fs.resolve("/dev", "/", Follow::kYes);
  ASSERT_EQ(errno_of(dev), 0);
  EXPECT_EQ(names(dev->inode->list()),
            (std::vector<std::string>{".", "..", "fd", "null", "random", "stderr", "stdin",
                                      "stdout", "tty", "urandom", "zero"}));
  const FileStat st = fs.resolve("/dev/urandom", "/", Follow::kYes)->inode->stat();
  EXPECT_EQ(st.mode, S_IFCHR | 0666);
  EXPECT_EQ(st.rdev, makedev(1, 9));
  EXPECT_EQ(errno_of(fs.open("/dev/tty", "/", O_RDONLY, 0)), ENXIO);
}

TEST(HostStreams, PassThroughToAHostDescriptor) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  HostStream writer(fds[1], "out");
  HostStream reader(fds[0], "in");
  EXPECT_EQ(writer.write(bytes("hi")), 2);
  std::vector<uint8_t> out(2);
  EXPECT_EQ(reader.read(out), 2);
  EXPECT_EQ(std::string(out.begin(), out.end()), "hi");
  EXPECT_EQ(reader.write(bytes("x")), -EBADF);  // the host's access mode carries over
  EXPECT_EQ(reader.seek(0, SEEK_CUR), -ESPIPE);
  EXPECT_FALSE(reader.is_tty());
  EXPECT_TRUE(S_ISFIFO(reader.stat().mode));
  EXPECT_EQ(reader.describe(), "in");
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_EQ(make_host_stream(STDOUT_FILENO)->describe(), "/dev/stdout");
}

}  // namespace
}  // namespace vmlab::os::vfs
