// Pipes: blocking is reported (kWouldBlock), never done; EOF when writers are gone, EPIPE when
// readers are gone; a full pipe takes a partial write; writes up to PIPE_BUF are atomic; poll
// reports what a read or write would do.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "os/vfs/file_system.h"
#include "os/vfs/pipe.h"
#include "tests/os/vfs_test_support.h"

namespace vmlab::os::vfs {
namespace {

using testing::bytes;

constexpr uint64_t kIno = 7;

TEST(Pipe, ReadOnEmptyBlocksWhileAWriterIsOpen) {
  PipeEnds p = make_pipe(kIno);
  std::vector<uint8_t> out(4);
  EXPECT_EQ(p.read->read(out), kWouldBlock);
  EXPECT_FALSE(p.read->readable_now());
  p.read->set_flags(O_NONBLOCK);
  EXPECT_EQ(p.read->read(out), -EAGAIN);
  EXPECT_EQ(p.read->flags(), O_RDONLY | O_NONBLOCK);
}

TEST(Pipe, DataThenEndOfFileAfterTheLastWriterCloses) {
  PipeEnds p = make_pipe(kIno);
  EXPECT_EQ(p.write->write(bytes("abcdef")), 6);
  EXPECT_TRUE(p.read->readable_now());
  EXPECT_EQ(p.read->bytes_available(), 6u);
  std::vector<uint8_t> out(4);
  EXPECT_EQ(p.read->read(out), 4);
  EXPECT_EQ(std::string(out.begin(), out.end()), "abcd");
  std::shared_ptr<OpenFile> second_writer = p.write;  // a dup shares the open file
  p.write.reset();
  EXPECT_EQ(p.read->writers(), 1u);
  second_writer.reset();
  EXPECT_EQ(p.read->writers(), 0u);
  EXPECT_EQ(p.read->read(out), 2);  // what was written is still delivered
  EXPECT_EQ(p.read->read(out), 0);
  EXPECT_TRUE(p.read->readable_now());
}

TEST(Pipe, WriteWithoutReadersIsEpipe) {
  PipeEnds p = make_pipe(kIno);
  p.read.reset();
  EXPECT_EQ(p.write->readers(), 0u);
  EXPECT_EQ(p.write->write(bytes("x")), -EPIPE);
  EXPECT_TRUE(p.write->writable_now());  // a write would not block: it fails at once
}

TEST(Pipe, FullPipeTakesAPartialWriteThenBlocks) {
  PipeEnds p = make_pipe(kIno);
  const std::vector<uint8_t> big(kPipeCapacity + 100, 'x');
  EXPECT_EQ(p.write->write(big), static_cast<int64_t>(kPipeCapacity));
  EXPECT_FALSE(p.write->writable_now());
  EXPECT_EQ(p.write->write(bytes("y")), kWouldBlock);
  p.write->set_flags(O_NONBLOCK);
  EXPECT_EQ(p.write->write(bytes("y")), -EAGAIN);
  // Room for 10 bytes: a 20-byte write (<= PIPE_BUF) is not split, a large one is.
  std::vector<uint8_t> out(10);
  EXPECT_EQ(p.read->read(out), 10);
  EXPECT_EQ(p.write->write(std::vector<uint8_t>(20, 'z')), -EAGAIN);
  EXPECT_EQ(p.write->write(std::vector<uint8_t>(kPipeAtomicWrite + 1, 'z')), 10);
  // writable_now() needs room for PIPE_BUF bytes, as poll's POLLOUT does.
  std::vector<uint8_t> drain(kPipeAtomicWrite - 1);
  EXPECT_EQ(p.read->read(drain), static_cast<int64_t>(drain.size()));
  EXPECT_FALSE(p.write->writable_now());
  EXPECT_EQ(p.read->read(out), static_cast<int64_t>(out.size()));
  EXPECT_TRUE(p.write->writable_now());
}

TEST(Pipe, DataSurvivesWrappingAroundTheRing) {
  PipeEnds p = make_pipe(kIno);
  std::vector<uint8_t> chunk(kPipeCapacity - 3, 'a');
  ASSERT_EQ(p.write->write(chunk), static_cast<int64_t>(chunk.size()));
  ASSERT_EQ(p.read->read(chunk), static_cast<int64_t>(chunk.size()));
  EXPECT_EQ(p.write->write(bytes("0123456789")), 10);
  std::vector<uint8_t> out(16);
  EXPECT_EQ(p.read->read(out), 10);
  EXPECT_EQ(std::string(out.begin(), out.begin() + 10), "0123456789");
}

TEST(Pipe, PollReportsWhatReadAndWriteWouldDo) {
  using namespace poll_bits;
  PipeEnds p = make_pipe(kIno);
  EXPECT_EQ(p.read->poll(), 0u);  // empty, a writer open: a read would block
  EXPECT_EQ(p.write->poll(), kOut | kWrNorm);
  EXPECT_EQ(p.write->write(bytes("x")), 1);
  EXPECT_EQ(p.read->poll(), kIn | kRdNorm);
  // Full but for less than a page: a PIPE_BUF write would block.
  const std::vector<uint8_t> fill(kPipeCapacity - kPipeAtomicWrite, 'y');
  EXPECT_EQ(p.write->write(fill), static_cast<int64_t>(fill.size()));
  EXPECT_EQ(p.write->poll(), 0u);
  p.write.reset();
  EXPECT_EQ(p.read->poll(), kIn | kRdNorm | kHup);  // data, and nobody writes any more
  std::vector<uint8_t> out(kPipeCapacity);
  EXPECT_GT(p.read->read(out), 0);
  EXPECT_EQ(p.read->poll(), kHup);

  PipeEnds q = make_pipe(kIno + 1);
  q.read.reset();
  EXPECT_EQ(q.write->poll(), kOut | kWrNorm | kErr);  // writing would raise SIGPIPE
}

TEST(Pipe, WrongEndsSeeksAndNames) {
  FileSystem fs;
  PipeEnds p = fs.make_pipe(O_NONBLOCK);
  PipeEnds q = fs.make_pipe();
  std::vector<uint8_t> out(1);
  EXPECT_EQ(p.write->read(out), -EBADF);
  EXPECT_EQ(p.read->write(bytes("x")), -EBADF);
  EXPECT_EQ(p.read->seek(0, SEEK_SET), -ESPIPE);
  EXPECT_EQ(p.read->pread(out, 0), -ESPIPE);
  EXPECT_EQ(p.write->pwrite(bytes("x"), 0), -ESPIPE);
  EXPECT_EQ(p.read->inode(), nullptr);
  EXPECT_EQ(p.write->flags(), O_WRONLY | O_NONBLOCK);
  EXPECT_NE(p.read->ino(), q.read->ino());
  EXPECT_EQ(p.read->describe(), "pipe:[" + std::to_string(p.read->ino()) + "]");
  EXPECT_EQ(p.write->describe(), p.read->describe());
  const FileStat st = p.read->stat();
  EXPECT_TRUE(S_ISFIFO(st.mode));
  EXPECT_EQ(st.ino, p.read->ino());
  EXPECT_FALSE(p.read->is_tty());
}

}  // namespace
}  // namespace vmlab::os::vfs
