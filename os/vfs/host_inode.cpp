#include "os/vfs/host_inode.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace vmlab::os::vfs {

Result<std::shared_ptr<HostInode>> HostInode::open(const std::string& host_path,
                                                   const struct stat& st, std::string guest_path,
                                                   uint64_t cache_id) {
  // O_NOFOLLOW: a host symlink is never followed by the host, only by our own resolver.
  constexpr int kCommon = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
  int fd = -1;
  bool readable = false;
  if (S_ISREG(st.st_mode)) {
    fd = ::open(host_path.c_str(), O_RDONLY | kCommon);
    readable = fd >= 0;
    // A file we may not read can still be stat'ed, as on Linux; reads then fail.
    if (fd < 0 && errno != EACCES) return Errno(errno);
  }
  // FIFOs and devices are never opened for reading: that could block or touch host hardware.
  if (fd < 0) fd = ::open(host_path.c_str(), O_PATH | kCommon);
  if (fd < 0) return Errno(errno);
  const uint64_t id = S_ISREG(st.st_mode) ? cache_id : kNoCacheId;
  return std::make_shared<HostInode>(fd, st.st_mode, readable, id, std::move(guest_path));
}

HostInode::HostInode(int fd, uint32_t type, bool readable, uint64_t cache_id,
                     std::string guest_path)
    : Inode(type, cache_id, std::move(guest_path)), fd_(fd), readable_(readable) {}

HostInode::~HostInode() {
  ::close(fd_);
}

FileStat HostInode::stat() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return {};
  return from_host_stat(st);
}

int64_t HostInode::read(uint64_t offset, std::span<uint8_t> out) {
  if (!is_regular()) return -EINVAL;
  if (!readable_) return -EACCES;
  if (offset > static_cast<uint64_t>(INT64_MAX)) return -EINVAL;
  for (;;) {
    const ssize_t n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

int64_t HostInode::write(uint64_t, std::span<const uint8_t>) {
  return -EROFS;
}

int HostInode::truncate(uint64_t) {
  return -EROFS;
}

Result<std::string> HostInode::readlink() const {
  if (!is_symlink()) return Errno(EINVAL);
  char buffer[PATH_MAX];
  // An empty path with an O_PATH descriptor reads the link the descriptor refers to.
  const ssize_t n = ::readlinkat(fd_, "", buffer, sizeof buffer);
  if (n < 0) return Errno(errno);
  return std::string(buffer, static_cast<size_t>(n));
}

}  // namespace vmlab::os::vfs
