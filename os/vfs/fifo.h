// Named pipes (fifo(7)): an inode in the overlay (mknod, mkfifo) whose opens share one pipe
// buffer. Opening for reading waits until a writer opens, opening for writing waits until a
// reader does (O_NONBLOCK: a reader opens at once, a writer fails with ENXIO), O_RDWR never
// waits. The buffer lives while any end is open; the next open after that starts empty.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "os/vfs/inode.h"
#include "os/vfs/open_file.h"
#include "os/vfs/overlay_state.h"
#include "os/vfs/pipe.h"

namespace vmlab::os::vfs {

// Who opens a FIFO, so that an open that has to wait can be retried: the kernel's blocked-
// call mechanism calls open again with `retry` set until the other end has opened.
struct FifoOpener {
  int id = 0;          // the process
  bool retry = false;  // the process is retrying the open it waited in
  // Whether process `id` still waits in its open (not interrupted, not dead): the ends of
  // opens nobody waits for any more are dropped.
  std::function<bool(int id)> still_waiting;
};

class FifoInode final : public Inode, public std::enable_shared_from_this<FifoInode> {
 public:
  FifoInode(std::shared_ptr<OverlayState> state, uint32_t mode, std::string path);

  FileStat stat() const override { return stat_; }
  int change_attributes(const AttributeChange& change) override;
  void change_links(int delta) override;

  // open(2) of the FIFO: the open file, -errno, or `wait` (retry later). Without an opener
  // (reopening /proc/PID/fd/N) an open never waits.
  OpenResult open(int flags, const FifoOpener* opener);

 private:
  // An open waiting for its partner holds its end (counted by the other side), not a
  // FifoFile: that would hold this inode, a cycle if the waiter never comes back.
  struct PendingOpen {
    std::shared_ptr<PipeEnd> end;
    uint64_t partner_opens;  // the other side's open count when the wait began
  };
  // The pipe of the open ends, or a fresh one when none is open.
  std::shared_ptr<PipeBuffer> buffer();

  std::shared_ptr<OverlayState> state_;
  FileStat stat_;
  std::weak_ptr<PipeBuffer> buffer_;
  uint64_t reader_opens_ = 0;           // Linux's r_counter and w_counter: a waiting open completes
  uint64_t writer_opens_ = 0;           // once the other side's count has moved
  std::map<int, PendingOpen> pending_;  // opens waiting for their partner, by process
};

// An open FIFO: a read end, a write end, or both (O_RDWR), with the FIFO's identity.
class FifoFile final : public OpenFile {
 public:
  // `read_end` and `write_end` (either may be null) are non-blocking ends of the FIFO's pipe.
  FifoFile(std::shared_ptr<FifoInode> inode, std::shared_ptr<PipeEnd> read_end,
           std::shared_ptr<PipeEnd> write_end, int flags);

  int64_t read(std::span<uint8_t> out) override;
  int64_t write(std::span<const uint8_t> data) override;
  FileStat stat() const override { return inode_->stat(); }
  uint32_t poll() const override;
  std::shared_ptr<Inode> inode() const override { return inode_; }
  std::string describe() const override { return inode_->path(); }
  size_t bytes_available() const;  // FIONREAD
  size_t readers() const;          // open ends of the FIFO on each side, this file's included
  size_t writers() const;

 private:
  std::shared_ptr<FifoInode> inode_;
  std::shared_ptr<PipeEnd> read_end_, write_end_;  // non-blocking; this file decides waits
};

}  // namespace vmlab::os::vfs
