#include "os/vfs/open_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "os/vfs/device.h"
#include "os/vfs/dirent.h"
#include "os/vfs/special_files.h"

namespace vmlab::os::vfs {

namespace {

constexpr int kCreationFlags = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;
constexpr int kSettableFlags = O_APPEND | O_NONBLOCK;

// `base` + `offset` as a file position, or -EINVAL when negative or overflowing (as Linux).
int64_t checked_position(int64_t base, int64_t offset) {
  int64_t position = 0;
  if (__builtin_add_overflow(base, offset, &position) || position < 0) return -EINVAL;
  return position;
}

}  // namespace

OpenFile::OpenFile(int flags) : flags_(flags & ~kCreationFlags) {}

void OpenFile::set_flags(int flags) {
  flags_ = (flags_ & ~kSettableFlags) | (flags & kSettableFlags);
}

bool OpenFile::can_read() const {
  const int mode = flags_ & O_ACCMODE;
  return mode == O_RDONLY || mode == O_RDWR;
}

bool OpenFile::can_write() const {
  const int mode = flags_ & O_ACCMODE;
  return mode == O_WRONLY || mode == O_RDWR;
}

bool OpenFile::nonblocking() const {
  return (flags_ & O_NONBLOCK) != 0;
}

int64_t OpenFile::pread(std::span<uint8_t>, int64_t) {
  return -ESPIPE;
}
int64_t OpenFile::pwrite(std::span<const uint8_t>, int64_t) {
  return -ESPIPE;
}
int64_t OpenFile::seek(int64_t, int) {
  return -ESPIPE;
}
int64_t OpenFile::getdents64(std::span<uint8_t>) {
  return -ENOTDIR;
}

InodeFile::InodeFile(std::shared_ptr<Inode> inode, int flags)
    : OpenFile(flags), inode_(std::move(inode)) {}

int64_t InodeFile::read(std::span<uint8_t> out) {
  const int64_t n = pread(out, offset_);
  if (n > 0) offset_ += n;
  return n;
}

int64_t InodeFile::write(std::span<const uint8_t> data) {
  if (!can_write()) return -EBADF;
  if (flags() & O_APPEND) offset_ = inode_->stat().size;
  const int64_t n = inode_->write(static_cast<uint64_t>(offset_), data);
  if (n > 0) offset_ += n;
  return n;
}

int64_t InodeFile::pread(std::span<uint8_t> out, int64_t offset) {
  if (!can_read()) return -EBADF;
  if (inode_->is_directory()) return -EISDIR;
  if (offset < 0) return -EINVAL;
  return inode_->read(static_cast<uint64_t>(offset), out);
}

int64_t InodeFile::pwrite(std::span<const uint8_t> data, int64_t offset) {
  if (!can_write()) return -EBADF;
  if (offset < 0) return -EINVAL;
  // Linux appends even for pwrite on an O_APPEND descriptor (pwrite(2), BUGS).
  if (flags() & O_APPEND) offset = inode_->stat().size;
  return inode_->write(static_cast<uint64_t>(offset), data);
}

int64_t InodeFile::seek(int64_t offset, int whence) {
  if (inode_->is_directory()) return seek_directory(offset, whence);
  const int64_t size = inode_->stat().size;
  int64_t position = 0;
  switch (whence) {
    case SEEK_SET:
      position = checked_position(0, offset);
      break;
    case SEEK_CUR:
      position = checked_position(offset_, offset);
      break;
    case SEEK_END:
      position = checked_position(size, offset);
      break;
    case SEEK_DATA:  // no holes: data everywhere before the end
      if (offset < 0 || offset >= size) return -ENXIO;
      position = offset;
      break;
    case SEEK_HOLE:  // the only hole is the implicit one at the end
      if (offset < 0 || offset >= size) return -ENXIO;
      position = size;
      break;
    default:
      return -EINVAL;
  }
  if (position >= 0) offset_ = position;
  return position;
}

int64_t InodeFile::seek_directory(int64_t offset, int whence) {
  int64_t position = 0;
  if (whence == SEEK_SET) {
    position = checked_position(0, offset);
  } else if (whence == SEEK_CUR) {
    position = checked_position(offset_, offset);
  } else {
    return -EINVAL;
  }
  if (position < 0) return position;
  offset_ = position;
  if (position == 0) listing_valid_ = false;  // rewinddir() sees the directory anew
  return position;
}

int64_t InodeFile::getdents64(std::span<uint8_t> buffer) {
  if (!inode_->is_directory()) return -ENOTDIR;
  if (!listing_valid_) {
    listing_ = inode_->list();
    listing_valid_ = true;
  }
  if (static_cast<uint64_t>(offset_) >= listing_.size()) return 0;
  const DirentBatch batch = encode_dirents(listing_, static_cast<size_t>(offset_), buffer);
  if (batch.bytes > 0) offset_ = static_cast<int64_t>(batch.next);
  return batch.bytes;
}

OpenResult open_inode(std::shared_ptr<Inode> inode, int flags) {
  if (inode->is_symlink()) return Errno(ELOOP);  // only reachable with O_NOFOLLOW
  const bool writing = (flags & O_ACCMODE) != O_RDONLY;
  if (inode->is_directory()) {
    if (writing) return Errno(EISDIR);
    return Opened{std::make_shared<InodeFile>(std::move(inode), flags)};
  }
  if (flags & O_DIRECTORY) return Errno(ENOTDIR);
  if (inode->is_regular()) return Opened{std::make_shared<InodeFile>(std::move(inode), flags)};
  if (auto device = std::dynamic_pointer_cast<DeviceInode>(inode); device && device->openable())
    return Opened{std::make_shared<DeviceFile>(std::move(device), flags)};
  return Errno(ENXIO);  // /dev/tty, host FIFOs, sockets and device nodes
}

}  // namespace vmlab::os::vfs
