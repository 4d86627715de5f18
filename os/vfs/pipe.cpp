#include "os/vfs/pipe.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "os/vfs/overlay_state.h"

namespace vmlab::os::vfs {

namespace {

constexpr uint32_t kPipeMode = S_IFIFO | 0600;

}  // namespace

// The shared ring buffer and the number of open ends on each side.
class PipeBuffer {
 public:
  PipeBuffer(uint64_t ino, Timespec created) : ino_(ino), created_(created), ring_(kPipeCapacity) {}

  size_t size() const { return size_; }
  size_t space() const { return ring_.size() - size_; }
  uint64_t ino() const { return ino_; }
  Timespec created() const { return created_; }

  size_t take(std::span<uint8_t> out) {
    const size_t n = std::min(out.size(), size_);
    const size_t first = std::min(n, ring_.size() - head_);
    std::memcpy(out.data(), ring_.data() + head_, first);
    std::memcpy(out.data() + first, ring_.data(), n - first);
    head_ = (head_ + n) % ring_.size();
    size_ -= n;
    return n;
  }

  size_t put(std::span<const uint8_t> data) {
    const size_t n = std::min(data.size(), space());
    const size_t tail = (head_ + size_) % ring_.size();
    const size_t first = std::min(n, ring_.size() - tail);
    std::memcpy(ring_.data() + tail, data.data(), first);
    std::memcpy(ring_.data(), data.data() + first, n - first);
    size_ += n;
    return n;
  }

  size_t readers = 0;
  size_t writers = 0;

 private:
  uint64_t ino_;
  Timespec created_;
  std::vector<uint8_t> ring_;
  size_t head_ = 0;
  size_t size_ = 0;
};

PipeEnd::PipeEnd(std::shared_ptr<PipeBuffer> buffer, Side side, int flags)
    : OpenFile((flags & O_NONBLOCK) | (side == Side::kRead ? O_RDONLY : O_WRONLY)),
      buffer_(std::move(buffer)),
      side_(side) {
  ++(side_ == Side::kRead ? buffer_->readers : buffer_->writers);
}

PipeEnd::~PipeEnd() {
  --(side_ == Side::kRead ? buffer_->readers : buffer_->writers);
}

int64_t PipeEnd::read(std::span<uint8_t> out) {
  if (side_ != Side::kRead) return -EBADF;
  if (out.empty()) return 0;
  if (buffer_->size() > 0) return static_cast<int64_t>(buffer_->take(out));
  if (buffer_->writers == 0) return 0;
  return nonblocking() ? -EAGAIN : kWouldBlock;
}

int64_t PipeEnd::write(std::span<const uint8_t> data) {
  if (side_ != Side::kWrite) return -EBADF;
  if (buffer_->readers == 0) return -EPIPE;
  if (data.empty()) return 0;
  const size_t needed = data.size() <= kPipeAtomicWrite ? data.size() : 1;
  if (buffer_->space() < needed) return nonblocking() ? -EAGAIN : kWouldBlock;
  return static_cast<int64_t>(buffer_->put(data));
}

FileStat PipeEnd::stat() const {
  FileStat st;
  st.dev = kPipefsDevice;
  st.ino = buffer_->ino();
  st.mode = kPipeMode;
  st.nlink = 1;
  st.blksize = kPipePageSize;
  st.atime = st.mtime = st.ctime = buffer_->created();
  return st;
}

std::string PipeEnd::describe() const {
  return "pipe:[" + std::to_string(buffer_->ino()) + "]";
}

uint32_t PipeEnd::poll() const {
  using namespace poll_bits;
  uint32_t mask = 0;
  if (side_ == Side::kRead) {
    if (buffer_->size() > 0) mask |= kIn | kRdNorm;
    if (buffer_->writers == 0) mask |= kHup;
  } else {
    if (buffer_->space() >= kPipeAtomicWrite) mask |= kOut | kWrNorm;
    if (buffer_->readers == 0) mask |= kErr;
  }
  return mask;
}

bool PipeEnd::readable_now() const {
  return buffer_->size() > 0 || buffer_->writers == 0;
}

bool PipeEnd::writable_now() const {
  return buffer_->readers == 0 || buffer_->space() >= kPipeAtomicWrite;
}

size_t PipeEnd::readers() const {
  return buffer_->readers;
}
size_t PipeEnd::writers() const {
  return buffer_->writers;
}
size_t PipeEnd::bytes_available() const {
  return buffer_->size();
}
uint64_t PipeEnd::ino() const {
  return buffer_->ino();
}

std::shared_ptr<PipeBuffer> make_pipe_buffer(uint64_t ino, Timespec created) {
  return std::make_shared<PipeBuffer>(ino, created);
}

PipeEnds make_pipe(uint64_t ino, int flags, Timespec created) {
  auto buffer = make_pipe_buffer(ino, created);
  return {std::make_shared<PipeEnd>(buffer, PipeEnd::Side::kRead, flags),
          std::make_shared<PipeEnd>(buffer, PipeEnd::Side::kWrite, flags)};
}

}  // namespace vmlab::os::vfs
