// fcntl record locks: conflicts between owners only, splitting and merging of one owner's
// locks, POSIX locks dropped when their process no longer holds the file, OFD locks with their
// open file description, and the wait-for chain of deadlock detection.
#include <fcntl.h>

#include "os/vfs/file_system.h"
#include "os/vfs/record_locks.h"
#include "tests/os/vfs_test_support.h"

namespace vmlab::os::vfs {
namespace {

using testing::errno_of;
using Type = RecordLocks::Type;
using Range = RecordLocks::Range;

constexpr uintptr_t kFile = 42;
const RecordLocks::Owner kParent{1, {}, nullptr};
const RecordLocks::Owner kChild{2, {}, nullptr};

// Every POSIX owner still holds the file.
const RecordLocks::PosixHolderCheck kHolds = [](int, uintptr_t) { return true; };

std::vector<std::pair<uint64_t, uint64_t>> ranges(const RecordLocks& locks) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const auto& l : locks.locks_of(kFile))
    out.emplace_back(l.range.start, l.range.end);
  return out;
}

TEST(RecordLocks, OnlyOtherOwnersConflictAndOnlyWithAWriter) {
  RecordLocks locks;
  locks.set(kFile, kParent, Type::kRead, {0, 10});
  EXPECT_FALSE(locks.conflict(kFile, kParent, Type::kWrite, {0, 10}, kHolds));
  EXPECT_FALSE(locks.conflict(kFile, kChild, Type::kRead, {5, 6}, kHolds));
  const auto found = locks.conflict(kFile, kChild, Type::kWrite, {9, 20}, kHolds);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->owner.pid, 1);
  EXPECT_FALSE(locks.conflict(kFile, kChild, Type::kWrite, {10, 20}, kHolds));
  EXPECT_FALSE(locks.conflict(kFile + 1, kChild, Type::kWrite, {0, 10}, kHolds));
}

TEST(RecordLocks, UnlockingTheMiddleSplitsALockAndRelockingMergesIt) {
  RecordLocks locks;
  locks.set(kFile, kParent, Type::kWrite, {0, 10});
  locks.set(kFile, kParent, std::nullopt, {3, 5});
  EXPECT_EQ(ranges(locks), (std::vector<std::pair<uint64_t, uint64_t>>{{0, 3}, {5, 10}}));
  locks.set(kFile, kParent, Type::kWrite, {3, 5});
  EXPECT_EQ(ranges(locks), (std::vector<std::pair<uint64_t, uint64_t>>{{0, 10}}));
  // A different type over part of it replaces that part only.
  locks.set(kFile, kParent, Type::kRead, {4, RecordLocks::kToEnd});
  const auto all = locks.locks_of(kFile);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].type, Type::kWrite);
  EXPECT_EQ(all[0].range.end, 4u);
  EXPECT_EQ(all[1].type, Type::kRead);
  EXPECT_EQ(all[1].range.end, RecordLocks::kToEnd);
  locks.set(kFile, kParent, std::nullopt, {0, RecordLocks::kToEnd});
  EXPECT_TRUE(locks.locks_of(kFile).empty());
}

TEST(RecordLocks, PosixLocksGoWithTheProcessAndOfdLocksWithTheDescription) {
  RecordLocks locks;
  auto pipe = make_pipe(3);
  std::shared_ptr<OpenFile> description = pipe.read;
  const RecordLocks::Owner ofd{1, description, description.get()};
  locks.set(kFile, kParent, Type::kWrite, {0, 1});
  locks.set(kFile, ofd, Type::kWrite, {1, 2});
  // The OFD lock is not the process's: its own POSIX request conflicts with it.
  EXPECT_TRUE(locks.conflict(kFile, kParent, Type::kWrite, {1, 2}, kHolds));
  locks.release_posix(kFile, 1);
  EXPECT_FALSE(locks.conflict(kFile, kChild, Type::kWrite, {0, 1}, kHolds));
  description.reset();
  pipe.read.reset();
  EXPECT_FALSE(locks.conflict(kFile, kChild, Type::kWrite, {1, 2}, kHolds));
  // A process that exited (or closed the file) holds nothing any more.
  locks.set(kFile, kParent, Type::kWrite, {5, 6});
  EXPECT_FALSE(locks.conflict(kFile, kChild, Type::kWrite, {5, 6},
                              [](int pid, uintptr_t) { return pid != 1; }));
  EXPECT_TRUE(locks.locks_of(kFile).empty());
}

TEST(RecordLocks, ACycleOfWaitersIsADeadlock) {
  RecordLocks locks;
  const auto everyone_waits = [](int) { return true; };
  EXPECT_FALSE(locks.would_deadlock(1, 2, everyone_waits));
  locks.start_waiting(2, 3);
  locks.start_waiting(3, 1);
  EXPECT_TRUE(locks.would_deadlock(1, 2, everyone_waits));
  // A waiter that stopped waiting (a signal, death) breaks the chain.
  EXPECT_FALSE(locks.would_deadlock(1, 2, [](int pid) { return pid != 3; }));
  locks.stop_waiting(3);
  EXPECT_FALSE(locks.would_deadlock(1, 2, everyone_waits));
}

// FIFOs: opens wait for the other side (OpenResult::wait) and are retried by their opener.
class Fifo : public ::testing::Test {
 protected:
  testing::TempTree tree_;
  FileSystem fs_{tree_.root()};
  std::map<int, bool> waiting_;
  FifoOpener opener(int id, bool retry) {
    return {id, retry, [this](int who) { return waiting_[who]; }};
  }
};

TEST_F(Fifo, AReaderWaitsForAWriterAndAWriterForAReader) {
  ASSERT_EQ(fs_.mknod("/f", "/", S_IFIFO | 0600), 0);
  EXPECT_EQ(fs_.mknod("/f", "/", S_IFIFO | 0600), -EEXIST);
  EXPECT_EQ(fs_.resolve("/f", "/", Follow::kYes)->inode->stat().mode, S_IFIFO | 0600u);
  FifoOpener reader = opener(1, false);
  EXPECT_TRUE(fs_.open("/f", "/", O_RDONLY, 0, &reader)->wait);
  waiting_[1] = true;
  reader.retry = true;
  EXPECT_TRUE(fs_.open("/f", "/", O_RDONLY, 0, &reader)->wait);
  FifoOpener writer = opener(2, false);
  const OpenResult w = fs_.open("/f", "/", O_WRONLY, 0, &writer);  // a reader is waiting
  ASSERT_TRUE(w->file);
  const OpenResult r = fs_.open("/f", "/", O_RDONLY, 0, &reader);
  ASSERT_TRUE(r->file);
  EXPECT_EQ(w->file->write(testing::bytes("hi")), 2);
  std::vector<uint8_t> out(8);
  EXPECT_EQ(r->file->read(out), 2);
  EXPECT_EQ(r->file->read(out), kWouldBlock);
}

TEST_F(Fifo, NonBlockingOpensAndAbandonedWaits) {
  ASSERT_EQ(fs_.mknod("/f", "/", S_IFIFO | 0600), 0);
  FifoOpener a = opener(1, false);
  EXPECT_EQ(errno_of(fs_.open("/f", "/", O_WRONLY | O_NONBLOCK, 0, &a)), ENXIO);
  // A reader that gave up waiting (a signal) is not a reader: a writer waits again.
  EXPECT_TRUE(fs_.open("/f", "/", O_RDONLY, 0, &a)->wait);
  FifoOpener b = opener(2, false);
  EXPECT_TRUE(fs_.open("/f", "/", O_WRONLY, 0, &b)->wait);
  const OpenResult rw = fs_.open("/f", "/", O_RDWR, 0, &a);
  ASSERT_TRUE(rw->file);
  EXPECT_EQ(rw->file->stat().mode & S_IFMT, static_cast<uint32_t>(S_IFIFO));
  EXPECT_EQ(fs_.mknod("/dev-like", "/", S_IFCHR | 0600), -EINVAL);
  EXPECT_EQ(fs_.mknod("/plain", "/", S_IFREG | 0640), 0);
  EXPECT_TRUE(fs_.resolve("/plain", "/", Follow::kYes)->inode->is_regular());
}

}  // namespace
}  // namespace vmlab::os::vfs
