// Pipes: two open files sharing a 64 KiB buffer. Operations never block; they answer
// kWouldBlock and the kernel parks the process until readable_now()/writable_now() changes
// (after any read, write, or close of the other end).
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "os/vfs/open_file.h"

namespace vmlab::os::vfs {

// Linux's default pipe capacity: 16 pages.
inline constexpr size_t kPipePages = 16;
inline constexpr size_t kPipePageSize = 4096;
inline constexpr size_t kPipeCapacity = kPipePages * kPipePageSize;
// Writes of up to PIPE_BUF bytes are atomic: all or nothing.
inline constexpr size_t kPipeAtomicWrite = PIPE_BUF;

class PipeBuffer;

class PipeEnd final : public OpenFile {
 public:
  enum class Side { kRead, kWrite };
  PipeEnd(std::shared_ptr<PipeBuffer> buffer, Side side, int flags);
  ~PipeEnd() override;

  // Read end: data, 0 when empty and every write end is closed, else -EAGAIN (O_NONBLOCK) or
  // kWouldBlock. Write end: -EPIPE when no read end is open (the kernel raises SIGPIPE);
  // otherwise as many bytes as fit, except that a write of at most PIPE_BUF bytes is never
  // split; nothing fits: -EAGAIN or kWouldBlock. Linux keeps a blocking writer inside
  // write() until everything is written; the kernel does that by waiting for writable_now()
  // and writing the rest.
  int64_t read(std::span<uint8_t> out) override;
  int64_t write(std::span<const uint8_t> data) override;
  FileStat stat() const override;
  std::string describe() const override;
  // Linux's pipe_poll: the read end has POLLIN with data and POLLHUP once every write end is
  // closed; the write end has POLLOUT while a page is free (a PIPE_BUF write fits) and
  // POLLERR once every read end is closed.
  uint32_t poll() const override;

  Side side() const { return side_; }
  // Another open file on the same pipe (opening /proc/PID/fd/N): `side`, with `flags`.
  std::shared_ptr<PipeEnd> reopened(Side side, int flags) const {
    return std::make_shared<PipeEnd>(buffer_, side, flags);
  }
  // Read end: a read would not block (data, or no writers). Write end: a write of PIPE_BUF
  // bytes would not block (space for it, or no readers: EPIPE). Matches poll's POLLIN/POLLOUT.
  bool readable_now() const;
  bool writable_now() const;
  size_t readers() const;
  size_t writers() const;
  size_t bytes_available() const;  // FIONREAD
  uint64_t ino() const;

 private:
  std::shared_ptr<PipeBuffer> buffer_;
  Side side_;
};

struct PipeEnds {
  std::shared_ptr<PipeEnd> read;
  std::shared_ptr<PipeEnd> write;
};

// A pipe buffer with no ends yet: a FIFO's, whose ends are opened one at a time.
std::shared_ptr<PipeBuffer> make_pipe_buffer(uint64_t ino, Timespec created = {});

// A new pipe with inode number `ino` (shown as "pipe:[ino]"). `flags` may hold O_NONBLOCK
// (pipe2); O_CLOEXEC belongs to the descriptor table. `created` stamps its times.
PipeEnds make_pipe(uint64_t ino, int flags = 0, Timespec created = {});

}  // namespace vmlab::os::vfs
