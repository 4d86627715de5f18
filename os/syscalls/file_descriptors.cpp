// Descriptor management: close, dup*, pipe*, fcntl, ioctl, ftruncate, fsync, fadvise64.
#include <linux/falloc.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>

#include <cerrno>

#include "os/syscalls/file_common.h"
#include "os/vfs/fifo.h"
#include "os/vfs/pipe.h"
#include "os/vfs/special_files.h"

namespace vmlab::os::file_syscalls {

namespace {

constexpr int kPipeCapacity = 65536;  // F_GETPIPE_SZ

// Closing any descriptor of a file releases the process's POSIX record locks on it.
void release_locks_of(SyscallContext& c, int fd) {
  if (const auto file = c.process.fds().get(fd)) release_record_locks(c, *file);
}

int64_t sys_close(SyscallContext& c) {
  release_locks_of(c, c.int_arg(0));
  return c.process.fds().close(c.int_arg(0));
}
int64_t sys_dup(SyscallContext& c) {
  return c.process.fds().dup(c.int_arg(0));
}
int64_t sys_dup2(SyscallContext& c) {
  if (c.int_arg(0) != c.int_arg(1) && c.process.fds().get(c.int_arg(0)))
    release_locks_of(c, c.int_arg(1));  // the descriptor dup2 replaces is closed
  return c.process.fds().dup2(c.int_arg(0), c.int_arg(1));
}
int64_t sys_dup3(SyscallContext& c) {
  if (c.int_arg(0) != c.int_arg(1) && c.process.fds().get(c.int_arg(0)))
    release_locks_of(c, c.int_arg(1));
  return c.process.fds().dup3(c.int_arg(0), c.int_arg(1), c.int_arg(2));
}

int64_t pipe_with(SyscallContext& c, int flags) {
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) != 0) return -EINVAL;
  vfs::PipeEnds ends = c.kernel.fs().make_pipe(flags & O_NONBLOCK);
  const bool cloexec = (flags & O_CLOEXEC) != 0;
  auto& fds = c.process.fds();
  const int r = fds.allocate(ends.read, cloexec);
  if (r < 0) return r;
  const int w = fds.allocate(ends.write, cloexec);
  if (w < 0) {
    fds.close(r);
    return w;
  }
  const int32_t pair[2] = {r, w};
  if (!c.user().write_value(c.arg(0), pair)) {
    fds.close(r);
    fds.close(w);
    return -EFAULT;
  }
  return 0;
}
int64_t sys_pipe(SyscallContext& c) {
  return pipe_with(c, 0);
}
int64_t sys_pipe2(SyscallContext& c) {
  return pipe_with(c, c.int_arg(1));
}

int64_t sys_fcntl(SyscallContext& c) {
  const int fd = c.int_arg(0);
  auto& fds = c.process.fds();
  auto file = fds.get(fd);
  if (!file) return -EBADF;
  switch (c.int_arg(1)) {
    case F_DUPFD:
      return fds.dup(fd, c.int_arg(2), false);
    case F_DUPFD_CLOEXEC:
      return fds.dup(fd, c.int_arg(2), true);
    case F_GETFD:
      return fds.fd_flags(fd);
    case F_SETFD:
      return fds.set_fd_flags(fd, c.int_arg(2));
    case F_GETFL:
      return file->flags();
    case F_SETFL:
      file->set_flags(c.int_arg(2));
      return 0;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      return fcntl_record_lock(c, file, c.int_arg(1));
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
      return dynamic_cast<vfs::PipeEnd*>(file.get()) != nullptr ||
                     dynamic_cast<vfs::FifoFile*>(file.get()) != nullptr
                 ? kPipeCapacity
                 : -EBADF;
    default:
      return -EINVAL;
  }
}

int64_t sys_ioctl(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) return -EBADF;
  const unsigned long request = c.arg(1);
  if (request == FIONREAD) {
    if (auto* pipe = dynamic_cast<vfs::PipeEnd*>(file.get())) {
      const int32_t n = static_cast<int32_t>(pipe->bytes_available());
      return c.user().write_value(c.arg(2), n) ? 0 : -EFAULT;
    }
    if (auto* fifo = dynamic_cast<vfs::FifoFile*>(file.get())) {
      const int32_t n = static_cast<int32_t>(fifo->bytes_available());
      return c.user().write_value(c.arg(2), n) ? 0 : -EFAULT;
    }
    const auto inode = file->inode();
    if (!inode || !inode->is_regular()) return -ENOTTY;
    const int64_t left = std::max<int64_t>(0, file->stat().size - file->seek(0, SEEK_CUR));
    return c.user().write_value(c.arg(2), static_cast<int32_t>(left)) ? 0 : -EFAULT;
  }
  auto* stream = dynamic_cast<vfs::HostStream*>(file.get());
  if (stream == nullptr || !stream->is_tty()) return -ENOTTY;
  // A terminal behind one of the host streams: ask the host terminal itself.
  const int host_fd = stream->host_fd();
  switch (request) {
    case TIOCGWINSZ: {
      struct winsize ws {};
      if (::ioctl(host_fd, TIOCGWINSZ, &ws) != 0) return -errno;
      return c.user().write_value(c.arg(2), ws) ? 0 : -EFAULT;
    }
    case TCGETS: {
      struct termios t {};
      if (::ioctl(host_fd, TCGETS, &t) != 0) return -errno;
      return c.user().write_value(c.arg(2), t) ? 0 : -EFAULT;
    }
    case TIOCGPGRP: {
      const int32_t pgrp = c.process.pgid();
      return c.user().write_value(c.arg(2), pgrp) ? 0 : -EFAULT;
    }
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
    case TIOCSPGRP:
      return 0;  // the host terminal's modes are not the guest's to change
    default:
      return -ENOTTY;
  }
}

int64_t sys_ftruncate(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file || !file->can_write()) return -EBADF;
  if (static_cast<int64_t>(c.arg(1)) < 0) return -EINVAL;
  const auto inode = file->inode();
  if (!inode || !inode->is_regular()) return -EINVAL;
  return inode->truncate(c.arg(1));
}

// The file's pages written through shared mappings go back to it (its overlay copy).
int64_t sys_fsync(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) return -EBADF;
  before_reading(c, *file);
  return 0;
}

// sync / syncfs: every file's pages written through shared mappings go back to it.
int64_t sys_sync(SyscallContext& c) {
  c.kernel.page_cache().write_back_all();
  return 0;
}
int64_t sys_syncfs(SyscallContext& c) {
  if (!c.process.fds().get(c.int_arg(0))) return -EBADF;
  return sys_sync(c);
}

// fallocate(fd, mode, offset, len): mode 0 makes sure the bytes exist (the file grows, with
// zeros); FALLOC_FL_KEEP_SIZE has nothing to reserve in memory. Other modes (punching holes,
// collapsing ranges) are not supported by the overlay.
int64_t sys_fallocate(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) return -EBADF;
  const int mode = c.int_arg(1);
  const auto offset = static_cast<int64_t>(c.arg(2)), length = static_cast<int64_t>(c.arg(3));
  if (offset < 0 || length <= 0) return -EINVAL;
  if (!file->can_write()) return -EBADF;
  const auto inode = file->inode();
  if (!inode) return -ESPIPE;
  if (!inode->is_regular()) return inode->is_directory() ? -EISDIR : -ENODEV;
  if (mode == FALLOC_FL_KEEP_SIZE) return 0;
  if (mode != 0) return -EOPNOTSUPP;
  const uint64_t end = static_cast<uint64_t>(offset) + static_cast<uint64_t>(length);
  if (end > static_cast<uint64_t>(inode->stat().size)) return inode->truncate(end);
  return 0;
}

// flock(fd, operation): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB not to wait.
int64_t sys_flock(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) return -EBADF;
  const int operation = c.int_arg(1) & ~LOCK_NB;
  vfs::FileLocks& locks = c.kernel.fs().locks();
  if (operation == LOCK_UN) {
    locks.unlock(file);
    return 0;
  }
  if (operation != LOCK_SH && operation != LOCK_EX) return -EINVAL;
  const int r = locks.lock(file, operation == LOCK_EX ? vfs::FileLocks::Kind::kExclusive
                                                      : vfs::FileLocks::Kind::kShared);
  if (r == -EWOULDBLOCK && (c.int_arg(1) & LOCK_NB) == 0) {
    c.block = true;  // tried again each time the scheduler comes back to it
    return 0;
  }
  return r;
}

int64_t sys_fadvise64(SyscallContext& c) {
  return c.process.fds().get(c.int_arg(0)) ? 0 : -EBADF;
}

}  // namespace

void register_descriptors(SyscallTable& table) {
  table.add(SYS_close, sys_close);
  table.add(SYS_dup, sys_dup);
  table.add(SYS_dup2, sys_dup2);
  table.add(SYS_dup3, sys_dup3);
  table.add(SYS_pipe, sys_pipe);
  table.add(SYS_pipe2, sys_pipe2);
  table.add(SYS_fcntl, sys_fcntl);
  table.add(SYS_ioctl, sys_ioctl);
  table.add(SYS_ftruncate, sys_ftruncate);
  table.add(SYS_fsync, sys_fsync);
  table.add(SYS_fdatasync, sys_fsync);
  table.add(SYS_fadvise64, sys_fadvise64);
  table.add(SYS_sync, sys_sync);
  table.add(SYS_syncfs, sys_syncfs);
  table.add(SYS_fallocate, sys_fallocate);
  table.add(SYS_flock, sys_flock);
}

}  // namespace vmlab::os::file_syscalls
