// Calls that name files by path: open, stat, readlink, access, cwd, and the overlay's
// mkdir/mknod/unlink/rename/symlink/truncate.
#include <linux/stat.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "os/syscalls/file_common.h"

namespace vmlab::os::file_syscalls {

namespace {

constexpr int kKnownAtFlags = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_EACCESS;

int64_t open_at(SyscallContext& c, int dirfd, uint64_t path_pointer, int flags, uint32_t mode) {
  std::string path, dir;
  if (const int e = path_arg(c, path_pointer, path); e != 0) return e;
  if (const int e = directory_of(c, dirfd, dir); e != 0 && path.front() != '/') return e;
  if (is_self_exe(c, path)) path = c.process.exe;
  // A FIFO's open waits for the other end: the call is retried until it has opened.
  Kernel& k = c.kernel;
  const vfs::FifoOpener opener{c.process.pid(), c.retry, [&k](int pid) {
                                 Process* p = k.find(pid);
                                 if (p == nullptr || p->state() != ProcessState::kBlocked)
                                   return false;
                                 const int number = p->blocked_call().number;
                                 return number == SYS_open || number == SYS_openat ||
                                        number == SYS_creat;
                               }};
  const vfs::OpenResult opened =
      c.kernel.fs().open(path, dir, flags, mode & ~c.process.umask, &opener);
  if (!opened) return opened.error().syscall_return();
  if (opened->wait) {
    c.block = true;
    return 0;
  }
  return c.process.fds().allocate(opened->file, (flags & O_CLOEXEC) != 0);
}

int64_t sys_open(SyscallContext& c) {
  return open_at(c, AT_FDCWD, c.arg(0), c.int_arg(1), static_cast<uint32_t>(c.arg(2)));
}
int64_t sys_openat(SyscallContext& c) {
  return open_at(c, c.int_arg(0), c.arg(1), c.int_arg(2), static_cast<uint32_t>(c.arg(3)));
}
int64_t sys_creat(SyscallContext& c) {
  return open_at(c, AT_FDCWD, c.arg(0), O_CREAT | O_WRONLY | O_TRUNC,
                 static_cast<uint32_t>(c.arg(1)));
}

// Resolves (dirfd, path, flags) the way the *at() calls do, including AT_EMPTY_PATH.
int64_t lookup_at(SyscallContext& c, int dirfd, uint64_t path_pointer, int flags,
                  std::shared_ptr<vfs::Inode>* inode, vfs::FileStat* st) {
  if ((flags & ~kKnownAtFlags) != 0) return -EINVAL;
  std::string path, dir;
  auto s = c.user().read_string(path_pointer, PATH_MAX);
  if (!s) return s.error().syscall_return();
  path = *s;
  if (path.empty()) {
    if ((flags & AT_EMPTY_PATH) == 0) return -ENOENT;
    if (dirfd == AT_FDCWD) {
      path = c.process.cwd;
    } else {
      const auto file = c.process.fds().get(dirfd);
      if (!file) return -EBADF;
      *st = file->stat();
      if (inode != nullptr) *inode = file->inode();
      return 0;
    }
  }
  if (const int e = directory_of(c, dirfd, dir); e != 0 && path.front() != '/') return e;
  if (is_self_exe(c, path)) path = c.process.exe;
  const vfs::Follow follow = (flags & AT_SYMLINK_NOFOLLOW) ? vfs::Follow::kNo : vfs::Follow::kYes;
  const auto found = c.kernel.fs().resolve(path, dir, follow);
  if (!found) return found.error().syscall_return();
  *st = found->inode->stat();
  if (inode != nullptr) *inode = found->inode;
  return 0;
}

int64_t sys_newfstatat(SyscallContext& c) {
  vfs::FileStat st;
  if (const int64_t e = lookup_at(c, c.int_arg(0), c.arg(1), c.int_arg(3), nullptr, &st); e != 0)
    return e;
  return write_stat(c, c.arg(2), st);
}
int64_t sys_stat(SyscallContext& c) {
  vfs::FileStat st;
  if (const int64_t e = lookup_at(c, AT_FDCWD, c.arg(0), 0, nullptr, &st); e != 0) return e;
  return write_stat(c, c.arg(1), st);
}
int64_t sys_lstat(SyscallContext& c) {
  vfs::FileStat st;
  if (const int64_t e = lookup_at(c, AT_FDCWD, c.arg(0), AT_SYMLINK_NOFOLLOW, nullptr, &st); e != 0)
    return e;
  return write_stat(c, c.arg(1), st);
}
int64_t sys_fstat(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) return -EBADF;
  return write_stat(c, c.arg(1), file->stat());
}

int64_t sys_statx(SyscallContext& c) {
  vfs::FileStat st;
  const int flags = c.int_arg(2) & ~(AT_STATX_SYNC_TYPE);
  if (const int64_t e = lookup_at(c, c.int_arg(0), c.arg(1), flags, nullptr, &st); e != 0) return e;
  struct statx out {};
  out.stx_mask = STATX_BASIC_STATS;
  out.stx_blksize = static_cast<uint32_t>(st.blksize);
  out.stx_nlink = static_cast<uint32_t>(st.nlink);
  out.stx_uid = st.uid;
  out.stx_gid = st.gid;
  out.stx_mode = static_cast<uint16_t>(st.mode);
  out.stx_ino = st.ino;
  out.stx_size = static_cast<uint64_t>(st.size);
  out.stx_blocks = static_cast<uint64_t>(st.blocks);
  out.stx_atime = {st.atime.sec, static_cast<uint32_t>(st.atime.nsec), 0};
  out.stx_mtime = {st.mtime.sec, static_cast<uint32_t>(st.mtime.nsec), 0};
  out.stx_ctime = {st.ctime.sec, static_cast<uint32_t>(st.ctime.nsec), 0};
  out.stx_rdev_major = static_cast<uint32_t>(major(st.rdev));
  out.stx_rdev_minor = static_cast<uint32_t>(minor(st.rdev));
  out.stx_dev_major = static_cast<uint32_t>(major(st.dev));
  out.stx_dev_minor = static_cast<uint32_t>(minor(st.dev));
  return c.user().write_value(c.arg(4), out) ? 0 : -EFAULT;
}

int64_t readlink_at(SyscallContext& c, int dirfd, uint64_t path_pointer, uint64_t buf,
                    uint64_t size) {
  if (static_cast<int64_t>(size) <= 0) return -EINVAL;
  std::string path, dir, target;
  if (const int e = path_arg(c, path_pointer, path); e != 0) return e;
  if (is_self_exe(c, path)) {
    target = c.process.exe;
  } else {
    if (const int e = directory_of(c, dirfd, dir); e != 0 && path.front() != '/') return e;
    auto link = c.kernel.fs().readlink(path, dir);
    if (!link) return link.error().syscall_return();
    target = std::move(*link);
  }
  const size_t n = std::min<size_t>(target.size(), size);  // no NUL, truncated silently
  return c.user().write(buf, {reinterpret_cast<const uint8_t*>(target.data()), n})
             ? static_cast<int64_t>(n)
             : -EFAULT;
}
int64_t sys_readlink(SyscallContext& c) {
  return readlink_at(c, AT_FDCWD, c.arg(0), c.arg(1), c.arg(2));
}
int64_t sys_readlinkat(SyscallContext& c) {
  return readlink_at(c, c.int_arg(0), c.arg(1), c.arg(2), c.arg(3));
}

int64_t access_at(SyscallContext& c, int dirfd, uint64_t path_pointer, int mode, int flags) {
  if ((mode & ~(R_OK | W_OK | X_OK)) != 0) return -EINVAL;
  vfs::FileStat st;
  if (const int64_t e = lookup_at(c, dirfd, path_pointer, flags & ~AT_EACCESS, nullptr, &st);
      e != 0)
    return e;
  // The guest runs as root: read and write are always granted (writes go to the overlay);
  // execute needs an execute bit somewhere, or a directory.
  if ((mode & X_OK) != 0 && !S_ISDIR(st.mode) && (st.mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0)
    return -EACCES;
  return 0;
}
int64_t sys_access(SyscallContext& c) {
  return access_at(c, AT_FDCWD, c.arg(0), c.int_arg(1), 0);
}
int64_t sys_faccessat(SyscallContext& c) {
  return access_at(c, c.int_arg(0), c.arg(1), c.int_arg(2), 0);
}
int64_t sys_faccessat2(SyscallContext& c) {
  return access_at(c, c.int_arg(0), c.arg(1), c.int_arg(2), c.int_arg(3));
}

int64_t sys_getcwd(SyscallContext& c) {
  const std::string& cwd = c.process.cwd;
  if (c.arg(1) < cwd.size() + 1) return -ERANGE;
  return c.user().write(c.arg(0), {reinterpret_cast<const uint8_t*>(cwd.c_str()), cwd.size() + 1})
             ? static_cast<int64_t>(cwd.size() + 1)
             : -EFAULT;
}

// The threads of a process share their working directory (CLONE_FS).
void set_working_directory(SyscallContext& c, const std::string& dir) {
  for (const int tid : c.process.group().tids)
    if (Process* t = c.kernel.find(tid)) t->cwd = dir;
  c.process.cwd = dir;
}

int64_t sys_chdir(SyscallContext& c) {
  std::string path;
  if (const int e = path_arg(c, c.arg(0), path); e != 0) return e;
  const auto found = c.kernel.fs().resolve(path, c.process.cwd, vfs::Follow::kYes);
  if (!found) return found.error().syscall_return();
  if (!found->inode->is_directory()) return -ENOTDIR;
  set_working_directory(c, found->path);
  return 0;
}

int64_t sys_fchdir(SyscallContext& c) {
  std::string dir;
  if (const int e = directory_of(c, c.int_arg(0), dir); e != 0) return e;
  set_working_directory(c, dir);
  return 0;
}

// The overlay operations share one shape: (dirfd, path) -> fs call.
template <typename Op>
int64_t path_op(SyscallContext& c, int dirfd, uint64_t path_pointer, Op op) {
  std::string path, dir;
  if (const int e = path_arg(c, path_pointer, path); e != 0) return e;
  if (const int e = directory_of(c, dirfd, dir); e != 0 && path.front() != '/') return e;
  return op(path, dir);
}

int64_t sys_mkdirat(SyscallContext& c) {
  const uint32_t mode = static_cast<uint32_t>(c.arg(2)) & ~c.process.umask;
  return path_op(c, c.int_arg(0), c.arg(1), [&](const std::string& p, const std::string& d) {
    return c.kernel.fs().mkdir(p, d, mode);
  });
}
int64_t sys_mkdir(SyscallContext& c) {
  const uint32_t mode = static_cast<uint32_t>(c.arg(1)) & ~c.process.umask;
  return path_op(c, AT_FDCWD, c.arg(0), [&](const std::string& p, const std::string& d) {
    return c.kernel.fs().mkdir(p, d, mode);
  });
}
// mknod(2): FIFOs and regular files. Device nodes need CAP_MKNOD, which the guest's root
// lacks, as in a container: EPERM. The overlay has no socket inodes: EPERM as well.
int64_t mknod_at(SyscallContext& c, int dirfd, uint64_t path_pointer, uint32_t mode) {
  switch (mode & S_IFMT) {
    case 0:
    case S_IFREG:
    case S_IFIFO:
      break;
    case S_IFCHR:
    case S_IFBLK:
    case S_IFSOCK:
      return -EPERM;
    default:
      return -EINVAL;
  }
  const uint32_t masked = (mode & S_IFMT) | (mode & 07777 & ~c.process.umask);
  return path_op(c, dirfd, path_pointer, [&](const std::string& p, const std::string& d) {
    return c.kernel.fs().mknod(p, d, masked);
  });
}
int64_t sys_mknodat(SyscallContext& c) {
  return mknod_at(c, c.int_arg(0), c.arg(1), static_cast<uint32_t>(c.arg(2)));
}
int64_t sys_mknod(SyscallContext& c) {
  return mknod_at(c, AT_FDCWD, c.arg(0), static_cast<uint32_t>(c.arg(1)));
}
int64_t sys_rmdir(SyscallContext& c) {
  return path_op(c, AT_FDCWD, c.arg(0), [&](const std::string& p, const std::string& d) {
    return c.kernel.fs().rmdir(p, d);
  });
}
int64_t sys_unlink(SyscallContext& c) {
  return path_op(c, AT_FDCWD, c.arg(0), [&](const std::string& p, const std::string& d) {
    return c.kernel.fs().unlink(p, d);
  });
}
int64_t sys_unlinkat(SyscallContext& c) {
  const int flags = c.int_arg(2);
  if ((flags & ~AT_REMOVEDIR) != 0) return -EINVAL;
  return path_op(c, c.int_arg(0), c.arg(1), [&](const std::string& p, const std::string& d) {
    return (flags & AT_REMOVEDIR) ? c.kernel.fs().rmdir(p, d) : c.kernel.fs().unlink(p, d);
  });
}

int64_t rename_at(SyscallContext& c, int olddirfd, uint64_t oldpath, int newdirfd,
                  uint64_t newpath) {
  std::string from, from_dir, to, to_dir;
  if (const int e = path_arg(c, oldpath, from); e != 0) return e;
  if (const int e = path_arg(c, newpath, to); e != 0) return e;
  if (const int e = directory_of(c, olddirfd, from_dir); e != 0 && from.front() != '/') return e;
  if (const int e = directory_of(c, newdirfd, to_dir); e != 0 && to.front() != '/') return e;
  return c.kernel.fs().rename(from, from_dir, to, to_dir);
}
int64_t sys_rename(SyscallContext& c) {
  return rename_at(c, AT_FDCWD, c.arg(0), AT_FDCWD, c.arg(1));
}
int64_t sys_renameat(SyscallContext& c) {
  return rename_at(c, c.int_arg(0), c.arg(1), c.int_arg(2), c.arg(3));
}
int64_t sys_renameat2(SyscallContext& c) {
  if (c.arg(4) != 0) return -EINVAL;  // RENAME_NOREPLACE/EXCHANGE/WHITEOUT are not supported
  return rename_at(c, c.int_arg(0), c.arg(1), c.int_arg(2), c.arg(3));
}

int64_t symlink_at(SyscallContext& c, uint64_t target_pointer, int dirfd, uint64_t link_pointer) {
  std::string target;
  if (const int e = path_arg(c, target_pointer, target); e != 0) return e;
  return path_op(c, dirfd, link_pointer, [&](const std::string& p, const std::string& d) {
    return c.kernel.fs().symlink(target, p, d);
  });
}
int64_t sys_symlink(SyscallContext& c) {
  return symlink_at(c, c.arg(0), AT_FDCWD, c.arg(1));
}
int64_t sys_symlinkat(SyscallContext& c) {
  return symlink_at(c, c.arg(0), c.int_arg(1), c.arg(2));
}

// link(2) / linkat(2): a second name; linkat follows a final symlink only with
// AT_SYMLINK_FOLLOW.
int64_t link_at(SyscallContext& c, int olddirfd, uint64_t oldpath, int newdirfd, uint64_t newpath,
                int flags) {
  if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
  std::string from, from_dir, to, to_dir;
  if (const int e = path_arg(c, oldpath, from); e != 0) return e;
  if (const int e = path_arg(c, newpath, to); e != 0) return e;
  if (const int e = directory_of(c, olddirfd, from_dir); e != 0 && from.front() != '/') return e;
  if (const int e = directory_of(c, newdirfd, to_dir); e != 0 && to.front() != '/') return e;
  const vfs::Follow follow = (flags & AT_SYMLINK_FOLLOW) ? vfs::Follow::kYes : vfs::Follow::kNo;
  return c.kernel.fs().link(from, from_dir, follow, to, to_dir);
}
int64_t sys_link(SyscallContext& c) {
  return link_at(c, AT_FDCWD, c.arg(0), AT_FDCWD, c.arg(1), 0);
}
int64_t sys_linkat(SyscallContext& c) {
  return link_at(c, c.int_arg(0), c.arg(1), c.int_arg(2), c.arg(3), c.int_arg(4));
}

int64_t sys_truncate(SyscallContext& c) {
  if (static_cast<int64_t>(c.arg(1)) < 0) return -EINVAL;
  return path_op(c, AT_FDCWD, c.arg(0), [&](const std::string& p, const std::string& d) -> int64_t {
    const auto found = c.kernel.fs().resolve_for_write(p, d, vfs::Follow::kYes);
    if (!found) return found.error().syscall_return();
    if (found->inode->is_directory()) return -EISDIR;
    return found->inode->truncate(c.arg(1));
  });
}

}  // namespace

void register_paths(SyscallTable& table) {
  table.add(SYS_open, sys_open);
  table.add(SYS_openat, sys_openat);
  table.add(SYS_creat, sys_creat);
  table.add(SYS_stat, sys_stat);
  table.add(SYS_lstat, sys_lstat);
  table.add(SYS_fstat, sys_fstat);
  table.add(SYS_newfstatat, sys_newfstatat);
  table.add(SYS_statx, sys_statx);
  table.add(SYS_readlink, sys_readlink);
  table.add(SYS_readlinkat, sys_readlinkat);
  table.add(SYS_access, sys_access);
  table.add(SYS_faccessat, sys_faccessat);
  table.add(SYS_faccessat2, sys_faccessat2);
  table.add(SYS_getcwd, sys_getcwd);
  table.add(SYS_chdir, sys_chdir);
  table.add(SYS_fchdir, sys_fchdir);
  table.add(SYS_mkdir, sys_mkdir);
  table.add(SYS_mkdirat, sys_mkdirat);
  table.add(SYS_mknod, sys_mknod);
  table.add(SYS_mknodat, sys_mknodat);
  table.add(SYS_rmdir, sys_rmdir);
  table.add(SYS_unlink, sys_unlink);
  table.add(SYS_unlinkat, sys_unlinkat);
  table.add(SYS_rename, sys_rename);
  table.add(SYS_renameat, sys_renameat);
  table.add(SYS_renameat2, sys_renameat2);
  table.add(SYS_symlink, sys_symlink);
  table.add(SYS_symlinkat, sys_symlinkat);
  table.add(SYS_truncate, sys_truncate);
  table.add(SYS_link, sys_link);
  table.add(SYS_linkat, sys_linkat);
}

}  // namespace vmlab::os::file_syscalls
