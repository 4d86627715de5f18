// Data transfer: read, write, readv, writev, pread64, pwrite64, sendfile, copy_file_range,
// lseek, getdents64.
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "os/syscalls/file_common.h"

namespace vmlab::os::file_syscalls {

namespace {

std::shared_ptr<vfs::OpenFile> readable(SyscallContext& c, int fd, int64_t* err) {
  auto file = c.process.fds().get(fd);
  if (!file || !file->can_read()) *err = -EBADF;
  return file;
}

std::shared_ptr<vfs::OpenFile> writable(SyscallContext& c, int fd, int64_t* err) {
  auto file = c.process.fds().get(fd);
  if (!file || !file->can_write()) *err = -EBADF;
  return file;
}

int64_t sys_read(SyscallContext& c) {
  int64_t err = 0;
  auto file = readable(c, c.int_arg(0), &err);
  if (err != 0) return err;
  std::vector<uint8_t> buffer(std::min(c.arg(2), kMaxTransfer));
  before_reading(c, *file);
  const int64_t n = finish_io(c, file->read(buffer));
  if (n <= 0 || c.block) return n;
  if (!c.user().write(c.arg(1), {buffer.data(), static_cast<size_t>(n)})) return -EFAULT;
  return n;
}

int64_t sys_write(SyscallContext& c) {
  int64_t err = 0;
  auto file = writable(c, c.int_arg(0), &err);
  if (err != 0) return err;
  std::vector<uint8_t> buffer(std::min(c.arg(2), kMaxTransfer));
  if (!c.user().read(c.arg(1), buffer)) return -EFAULT;
  const int64_t n = finish_io(c, file->write(buffer));
  after_writing_at_offset(c, *file, n);
  return n;
}

int64_t sys_pread64(SyscallContext& c) {
  int64_t err = 0;
  auto file = readable(c, c.int_arg(0), &err);
  if (err != 0) return err;
  if (static_cast<int64_t>(c.arg(3)) < 0) return -EINVAL;
  std::vector<uint8_t> buffer(std::min(c.arg(2), kMaxTransfer));
  before_reading(c, *file);
  const int64_t n = file->pread(buffer, static_cast<int64_t>(c.arg(3)));
  if (n <= 0) return n;
  return c.user().write(c.arg(1), {buffer.data(), static_cast<size_t>(n)}) ? n : -EFAULT;
}

int64_t sys_pwrite64(SyscallContext& c) {
  int64_t err = 0;
  auto file = writable(c, c.int_arg(0), &err);
  if (err != 0) return err;
  if (static_cast<int64_t>(c.arg(3)) < 0) return -EINVAL;
  std::vector<uint8_t> buffer(std::min(c.arg(2), kMaxTransfer));
  if (!c.user().read(c.arg(1), buffer)) return -EFAULT;
  const int64_t n = file->pwrite(buffer, static_cast<int64_t>(c.arg(3)));
  after_writing(c, *file, static_cast<int64_t>(c.arg(3)), n);
  return n;
}

int64_t sys_readv(SyscallContext& c) {
  int64_t err = 0;
  auto file = readable(c, c.int_arg(0), &err);
  if (err != 0) return err;
  std::vector<struct iovec> iov;
  uint64_t total = 0;
  if (const int e = read_iovecs(c, c.arg(1), c.arg(2), iov, &total); e != 0) return e;
  std::vector<uint8_t> buffer(std::min(total, kMaxTransfer));
  before_reading(c, *file);
  const int64_t n = finish_io(c, file->read(buffer));
  if (n <= 0 || c.block) return n;
  return scatter(c, iov, {buffer.data(), static_cast<size_t>(n)}) ? n : -EFAULT;
}

int64_t sys_writev(SyscallContext& c) {
  int64_t err = 0;
  auto file = writable(c, c.int_arg(0), &err);
  if (err != 0) return err;
  std::vector<struct iovec> iov;
  uint64_t total = 0;
  if (const int e = read_iovecs(c, c.arg(1), c.arg(2), iov, &total); e != 0) return e;
  // Gathered into one write, so a pipe sees it as one (atomic up to PIPE_BUF) transfer.
  std::vector<uint8_t> buffer;
  if (!gather(c, iov, total, buffer)) return -EFAULT;
  const int64_t n = finish_io(c, file->write(buffer));
  after_writing_at_offset(c, *file, n);
  return n;
}

int64_t sys_sendfile(SyscallContext& c) {
  int64_t err = 0;
  auto out = writable(c, c.int_arg(0), &err);
  if (err != 0) return err;
  auto in = readable(c, c.int_arg(1), &err);
  if (err != 0) return err;
  // Linux needs a source it can read pages from: a regular file.
  if (!in->inode() || !in->inode()->is_regular()) return -EINVAL;
  std::vector<uint8_t> buffer(std::min(c.arg(3), kMaxTransfer));
  before_reading(c, *in);
  int64_t n;
  if (c.arg(2) != 0) {
    int64_t offset = 0;
    if (!c.user().read_value(c.arg(2), offset)) return -EFAULT;
    n = in->pread(buffer, offset);
    if (n > 0 && !c.user().write_value(c.arg(2), offset + n)) return -EFAULT;
  } else {
    n = in->read(buffer);
  }
  if (n <= 0) return n;
  const int64_t written = finish_io(c, out->write({buffer.data(), static_cast<size_t>(n)}));
  after_writing_at_offset(c, *out, written);
  return written;
}

// copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): between regular files, at the
// given offsets (updated) or the descriptors' own.
int64_t sys_copy_file_range(SyscallContext& c) {
  if (c.arg(5) != 0) return -EINVAL;
  int64_t err = 0;
  auto in = readable(c, c.int_arg(0), &err);
  if (err != 0) return err;
  auto out = writable(c, c.int_arg(2), &err);
  if (err != 0) return err;
  if (!in->inode() || !in->inode()->is_regular() || !out->inode() || !out->inode()->is_regular())
    return -EINVAL;
  if ((out->flags() & O_APPEND) != 0) return -EBADF;
  int64_t in_offset = 0, out_offset = 0;
  if (c.arg(1) != 0 && !c.user().read_value(c.arg(1), in_offset)) return -EFAULT;
  if (c.arg(3) != 0 && !c.user().read_value(c.arg(3), out_offset)) return -EFAULT;
  if (in_offset < 0 || out_offset < 0) return -EINVAL;
  std::vector<uint8_t> buffer(std::min(c.arg(4), kMaxTransfer));
  before_reading(c, *in);
  const int64_t n = c.arg(1) != 0 ? in->pread(buffer, in_offset) : in->read(buffer);
  if (n <= 0) return n;
  const std::span<const uint8_t> data{buffer.data(), static_cast<size_t>(n)};
  int64_t written;
  if (c.arg(3) != 0) {
    written = out->pwrite(data, out_offset);
    after_writing(c, *out, out_offset, written);
  } else {
    written = out->write(data);
    after_writing_at_offset(c, *out, written);
  }
  if (written < 0) return written;
  if (c.arg(1) != 0 && !c.user().write_value(c.arg(1), in_offset + written)) return -EFAULT;
  if (c.arg(3) != 0 && !c.user().write_value(c.arg(3), out_offset + written)) return -EFAULT;
  if (written < n && c.arg(1) == 0) in->seek(written - n, SEEK_CUR);  // give back the unwritten
  return written;
}

int64_t sys_lseek(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) return -EBADF;
  return file->seek(static_cast<int64_t>(c.arg(1)), c.int_arg(2));
}

int64_t sys_getdents64(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) return -EBADF;
  std::vector<uint8_t> buffer(std::min(c.arg(2), kMaxTransfer));
  const int64_t n = file->getdents64(buffer);
  if (n <= 0) return n;
  return c.user().write(c.arg(1), {buffer.data(), static_cast<size_t>(n)}) ? n : -EFAULT;
}

}  // namespace

void register_io(SyscallTable& table) {
  table.add(SYS_read, sys_read);
  table.add(SYS_write, sys_write);
  table.add(SYS_pread64, sys_pread64);
  table.add(SYS_pwrite64, sys_pwrite64);
  table.add(SYS_readv, sys_readv);
  table.add(SYS_writev, sys_writev);
  table.add(SYS_sendfile, sys_sendfile);
  table.add(SYS_copy_file_range, sys_copy_file_range);
  table.add(SYS_lseek, sys_lseek);
  table.add(SYS_getdents64, sys_getdents64);
}

}  // namespace vmlab::os::file_syscalls
