#include "os/vfs/fifo.h"

#include <fcntl.h>

#include <cerrno>

#include "os/vfs/memory_inode.h"

namespace vmlab::os::vfs {

FifoInode::FifoInode(std::shared_ptr<OverlayState> state, uint32_t mode, std::string path)
    : Inode(S_IFIFO, kNoCacheId, std::move(path)),
      state_(std::move(state)),
      stat_(new_overlay_stat(*state_, S_IFIFO | (mode & 07777))) {
  stat_.blksize = kPipePageSize;
}

int FifoInode::change_attributes(const AttributeChange& change) {
  apply_attributes(stat_, change, state_->now());
  return 0;
}

void FifoInode::change_links(int delta) {
  change_link_count(stat_, delta, state_->now());
}

std::shared_ptr<PipeBuffer> FifoInode::buffer() {
  auto buffer = buffer_.lock();
  if (!buffer) {
    buffer = make_pipe_buffer(stat_.ino, state_->now());
    buffer_ = buffer;
  }
  return buffer;
}

OpenResult FifoInode::open(int flags, const FifoOpener* opener) {
  const int id = opener != nullptr ? opener->id : 0;
  // Opens that nobody waits for any more (interrupted, killed) give their ends back.
  if (opener != nullptr) {
    std::erase_if(pending_, [&](const auto& entry) {
      return entry.first != id && !opener->still_waiting(entry.first);
    });
    const auto it = pending_.find(id);
    if (it != pending_.end()) {
      if (!opener->retry) {
        pending_.erase(it);  // an earlier open of this process ended without completing
      } else {
        const bool reading = (flags & O_ACCMODE) == O_RDONLY;
        if ((reading ? writer_opens_ : reader_opens_) == it->second.partner_opens)
          return Opened{nullptr, true};
        std::shared_ptr<PipeEnd> end = std::move(it->second.end);
        pending_.erase(it);
        auto file = reading ? std::make_shared<FifoFile>(shared_from_this(), end, nullptr, flags)
                            : std::make_shared<FifoFile>(shared_from_this(), nullptr, end, flags);
        return Opened{std::move(file)};
      }
    }
  }
  const int mode = flags & O_ACCMODE;
  const bool nonblocking = (flags & O_NONBLOCK) != 0;
  auto buffer = this->buffer();
  // The ends never block: FifoFile turns EAGAIN into a wait unless the file is O_NONBLOCK.
  std::shared_ptr<PipeEnd> read_end, write_end;
  if (mode != O_WRONLY) {
    read_end = std::make_shared<PipeEnd>(buffer, PipeEnd::Side::kRead, O_NONBLOCK);
    ++reader_opens_;
  }
  if (mode != O_RDONLY) {
    write_end = std::make_shared<PipeEnd>(buffer, PipeEnd::Side::kWrite, O_NONBLOCK);
    ++writer_opens_;
  }
  const auto opened = [&]() -> OpenResult {
    return Opened{std::make_shared<FifoFile>(shared_from_this(), read_end, write_end, flags)};
  };
  if (mode == O_RDWR) return opened();
  if (mode == O_RDONLY) {
    if (nonblocking || read_end->writers() > 0 || opener == nullptr) return opened();
    pending_[id] = {std::move(read_end), writer_opens_};
    return Opened{nullptr, true};
  }
  if (write_end->readers() > 0) return opened();
  if (nonblocking || opener == nullptr) return Errno(ENXIO);
  pending_[id] = {std::move(write_end), reader_opens_};
  return Opened{nullptr, true};
}

FifoFile::FifoFile(std::shared_ptr<FifoInode> inode, std::shared_ptr<PipeEnd> read_end,
                   std::shared_ptr<PipeEnd> write_end, int flags)
    : OpenFile(flags),
      inode_(std::move(inode)),
      read_end_(std::move(read_end)),
      write_end_(std::move(write_end)) {}

int64_t FifoFile::read(std::span<uint8_t> out) {
  if (!read_end_) return -EBADF;
  const int64_t n = read_end_->read(out);
  return n == -EAGAIN && !nonblocking() ? kWouldBlock : n;
}

int64_t FifoFile::write(std::span<const uint8_t> data) {
  if (!write_end_) return -EBADF;
  const int64_t n = write_end_->write(data);
  return n == -EAGAIN && !nonblocking() ? kWouldBlock : n;
}

uint32_t FifoFile::poll() const {
  return (read_end_ ? read_end_->poll() : 0) | (write_end_ ? write_end_->poll() : 0);
}

size_t FifoFile::bytes_available() const {
  const auto& end = read_end_ ? read_end_ : write_end_;
  return end->bytes_available();
}

}  // namespace vmlab::os::vfs
