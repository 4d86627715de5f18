#include "os/syscalls/file_common.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace vmlab::os {

namespace file_syscalls {

int directory_of(SyscallContext& c, int dirfd, std::string& out) {
  if (dirfd == AT_FDCWD) {
    out = c.process.cwd;
    return 0;
  }
  const auto file = c.process.fds().get(dirfd);
  if (!file) return -EBADF;
  const auto inode = file->inode();
  if (!inode || !inode->is_directory()) return -ENOTDIR;
  out = inode->path();
  return 0;
}

int path_arg(SyscallContext& c, uint64_t pointer, std::string& out) {
  auto s = c.user().read_string(pointer, PATH_MAX);
  if (!s) return static_cast<int>(s.error().syscall_return());
  if (s->empty()) return -ENOENT;
  out = std::move(*s);
  return 0;
}

bool is_self_exe(const SyscallContext& c, const std::string& path) {
  return path == "/proc/self/exe" || path == "/proc/" + std::to_string(c.process.pid()) + "/exe";
}

int64_t write_stat(SyscallContext& c, uint64_t pointer, const vfs::FileStat& st) {
  struct stat out {};
  out.st_dev = st.dev;
  out.st_ino = st.ino;
  out.st_nlink = st.nlink;
  out.st_mode = st.mode;
  out.st_uid = st.uid;
  out.st_gid = st.gid;
  out.st_rdev = st.rdev;
  out.st_size = st.size;
  out.st_blksize = st.blksize;
  out.st_blocks = st.blocks;
  out.st_atim = {st.atime.sec, st.atime.nsec};
  out.st_mtim = {st.mtime.sec, st.mtime.nsec};
  out.st_ctim = {st.ctime.sec, st.ctime.nsec};
  return c.user().write_value(pointer, out) ? 0 : -EFAULT;
}

void before_reading(SyscallContext& c, const vfs::OpenFile& file) {
  if (const auto inode = file.inode(); inode && inode->is_regular())
    c.kernel.page_cache().write_back(*inode);
}

void after_writing(SyscallContext& c, const vfs::OpenFile& file, int64_t offset, int64_t n) {
  if (n <= 0 || offset < 0) return;
  if (const auto inode = file.inode(); inode && inode->is_regular())
    c.kernel.page_cache().refresh(*inode, static_cast<uint64_t>(offset), static_cast<uint64_t>(n));
}

void after_writing_at_offset(SyscallContext& c, vfs::OpenFile& file, int64_t n) {
  if (n <= 0 || !file.inode()) return;
  after_writing(c, file, file.seek(0, SEEK_CUR) - n, n);
}

int read_iovecs(SyscallContext& c, uint64_t pointer, uint64_t count, std::vector<struct iovec>& iov,
                uint64_t* total) {
  constexpr uint64_t kMaxIovecs = 1024;  // UIO_MAXIOV
  if (count > kMaxIovecs) return -EINVAL;
  iov.resize(count);
  if (count != 0 && !c.user().read(pointer, {reinterpret_cast<uint8_t*>(iov.data()),
                                             count * sizeof(struct iovec)}))
    return -EFAULT;
  *total = 0;
  for (const auto& v : iov) {
    if (static_cast<int64_t>(v.iov_len) < 0) return -EINVAL;
    *total += v.iov_len;
  }
  return 0;
}

bool gather(SyscallContext& c, const std::vector<struct iovec>& iov, uint64_t total,
            std::vector<uint8_t>& buffer) {
  buffer.clear();
  buffer.reserve(std::min(total, kMaxTransfer));
  for (const auto& v : iov) {
    const uint64_t chunk = std::min<uint64_t>(v.iov_len, kMaxTransfer - buffer.size());
    const size_t at = buffer.size();
    buffer.resize(at + chunk);
    if (!c.user().read(reinterpret_cast<uint64_t>(v.iov_base), {buffer.data() + at, chunk}))
      return false;
  }
  return true;
}

bool scatter(SyscallContext& c, const std::vector<struct iovec>& iov,
             std::span<const uint8_t> data) {
  size_t done = 0;
  for (const auto& v : iov) {
    if (done == data.size()) break;
    const size_t chunk = std::min<size_t>(v.iov_len, data.size() - done);
    if (!c.user().write(reinterpret_cast<uint64_t>(v.iov_base), data.subspan(done, chunk)))
      return false;
    done += chunk;
  }
  return true;
}

int64_t finish_io(SyscallContext& c, int64_t result) {
  if (result == vfs::kWouldBlock) {
    c.block = true;
    return 0;
  }
  if (result == -EPIPE) {
    // Writing to a pipe nobody reads: SIGPIPE, and EPIPE if the signal is ignored or handled.
    SigInfo info;
    info.signo = sig::kPipe;
    info.code = si_code::kKernel;
    info.pid = c.process.pid();
    c.kernel.send_signal(c.process, info);
  }
  return result;
}

}  // namespace file_syscalls

void register_file_syscalls(SyscallTable& table) {
  file_syscalls::register_io(table);
  file_syscalls::register_paths(table);
  file_syscalls::register_descriptors(table);
  file_syscalls::register_attributes(table);
}

}  // namespace vmlab::os
