// Changing a file's metadata: chmod, chown and the time setters (utimensat, utimes, utime,
// futimesat), by path, at a directory descriptor, or on a descriptor. Host files are copied
// into the overlay first, so the host root is never changed. The rules are chmod(2),
// chown(2) and utimensat(2)'s for a process that is root, or the file's owner.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <utime.h>

#include <cerrno>
#include <ctime>

#include "os/syscalls/file_common.h"
#include "os/vfs/overlay_state.h"

namespace vmlab::os::file_syscalls {

namespace {

constexpr uint32_t kUnchangedId = ~uint32_t{0};  // chown's -1
constexpr int64_t kNsPerMicro = 1000;
constexpr int64_t kNsPerSecond = 1'000'000'000;

// The file a call names: a path at a directory descriptor, or (no path) the descriptor itself.
struct Target {
  std::string path;
  std::string directory;
  vfs::Follow follow = vfs::Follow::kYes;
};

// A path argument at `dirfd`; an empty path with AT_EMPTY_PATH (or a null pointer, for
// utimensat) names the file open on `dirfd`.
int target_at(SyscallContext& c, int dirfd, uint64_t path_pointer, int flags, bool null_is_fd,
              Target& out) {
  out.follow = (flags & AT_SYMLINK_NOFOLLOW) ? vfs::Follow::kNo : vfs::Follow::kYes;
  std::string path;
  if (path_pointer == 0 && null_is_fd) {
    path.clear();
  } else {
    auto s = c.user().read_string(path_pointer, PATH_MAX);
    if (!s) return s.error().syscall_return();
    path = std::move(*s);
    if (path.empty() && (flags & AT_EMPTY_PATH) == 0) return -ENOENT;
  }
  if (path.empty()) {
    if (dirfd == AT_FDCWD) {
      out.path = c.process.cwd;
      return 0;
    }
    const auto file = c.process.fds().get(dirfd);
    if (!file) return -EBADF;
    if (!file->inode()) return -EPERM;  // a pipe or a socket: nothing the overlay stores
    out.path = file->inode()->path();
    out.follow = vfs::Follow::kNo;
    return 0;
  }
  out.path = std::move(path);
  return out.path.front() == '/' ? 0 : directory_of(c, dirfd, out.directory);
}

int target_of_descriptor(SyscallContext& c, int fd, Target& out) {
  return target_at(c, fd, 0, AT_EMPTY_PATH, true, out);
}

// Root may change anything; others only their own files, and never the owner.
int change(SyscallContext& c, const Target& target, const vfs::AttributeChange& change) {
  const Credentials& me = c.process.credentials;
  if (me.euid != 0) {
    const auto found = c.kernel.fs().resolve(target.path, target.directory, target.follow);
    if (!found) return static_cast<int>(found.error().syscall_return());
    const vfs::FileStat st = found->inode->stat();
    if (st.uid != me.euid) return -EPERM;
    if (change.uid && *change.uid != st.uid) return -EPERM;
  }
  return c.kernel.fs().change_attributes(target.path, target.directory, target.follow, change);
}

vfs::AttributeChange mode_change(uint64_t mode) {
  vfs::AttributeChange ch;
  ch.mode = static_cast<uint32_t>(mode) & 07777;
  return ch;
}

vfs::AttributeChange owner_change(uint64_t uid, uint64_t gid) {
  vfs::AttributeChange ch;
  if (static_cast<uint32_t>(uid) != kUnchangedId) ch.uid = static_cast<uint32_t>(uid);
  if (static_cast<uint32_t>(gid) != kUnchangedId) ch.gid = static_cast<uint32_t>(gid);
  return ch;
}

int64_t sys_chmod(SyscallContext& c) {
  Target t;
  if (const int e = target_at(c, AT_FDCWD, c.arg(0), 0, false, t); e != 0) return e;
  return change(c, t, mode_change(c.arg(1)));
}
// The fchmodat system call has no flags argument (glibc emulates AT_SYMLINK_NOFOLLOW).
int64_t sys_fchmodat(SyscallContext& c) {
  Target t;
  if (const int e = target_at(c, c.int_arg(0), c.arg(1), 0, false, t); e != 0) return e;
  return change(c, t, mode_change(c.arg(2)));
}
int64_t sys_fchmod(SyscallContext& c) {
  Target t;
  if (const int e = target_of_descriptor(c, c.int_arg(0), t); e != 0) return e;
  return change(c, t, mode_change(c.arg(1)));
}

int64_t sys_chown(SyscallContext& c) {
  Target t;
  if (const int e = target_at(c, AT_FDCWD, c.arg(0), 0, false, t); e != 0) return e;
  return change(c, t, owner_change(c.arg(1), c.arg(2)));
}
int64_t sys_lchown(SyscallContext& c) {
  Target t;
  if (const int e = target_at(c, AT_FDCWD, c.arg(0), AT_SYMLINK_NOFOLLOW, false, t); e != 0)
    return e;
  return change(c, t, owner_change(c.arg(1), c.arg(2)));
}
int64_t sys_fchownat(SyscallContext& c) {
  const int flags = c.int_arg(4);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
  Target t;
  if (const int e = target_at(c, c.int_arg(0), c.arg(1), flags, false, t); e != 0) return e;
  return change(c, t, owner_change(c.arg(2), c.arg(3)));
}
int64_t sys_fchown(SyscallContext& c) {
  Target t;
  if (const int e = target_of_descriptor(c, c.int_arg(0), t); e != 0) return e;
  return change(c, t, owner_change(c.arg(1), c.arg(2)));
}

// Times: each one given, "now" (UTIME_NOW), or left alone (UTIME_OMIT).
int64_t set_times(SyscallContext& c, const Target& t, const vfs::Timespec* times) {
  const vfs::Timespec now = c.kernel.fs().state()->now();
  vfs::AttributeChange ch;
  for (int i = 0; i < 2; ++i) {
    std::optional<vfs::Timespec>& field = i == 0 ? ch.atime : ch.mtime;
    if (times == nullptr || times[i].nsec == UTIME_NOW) {
      field = now;
    } else if (times[i].nsec != UTIME_OMIT) {
      if (times[i].nsec < 0 || times[i].nsec >= kNsPerSecond) return -EINVAL;
      field = times[i];
    }
  }
  return change(c, t, ch);
}

int64_t sys_utimensat(SyscallContext& c) {
  const int flags = c.int_arg(3);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
  Target t;
  if (const int e = target_at(c, c.int_arg(0), c.arg(1), flags, true, t); e != 0) return e;
  if (c.arg(2) == 0) return set_times(c, t, nullptr);
  struct timespec given[2];
  if (!c.user().read_value(c.arg(2), given)) return -EFAULT;
  const vfs::Timespec times[2] = {{given[0].tv_sec, given[0].tv_nsec},
                                  {given[1].tv_sec, given[1].tv_nsec}};
  return set_times(c, t, times);
}

// utimes / futimesat: microseconds; a null pointer means now.
int64_t set_times_in_microseconds(SyscallContext& c, const Target& t, uint64_t pointer) {
  if (pointer == 0) return set_times(c, t, nullptr);
  struct timeval given[2];
  if (!c.user().read_value(pointer, given)) return -EFAULT;
  vfs::Timespec times[2];
  for (int i = 0; i < 2; ++i) {
    if (given[i].tv_usec < 0 || given[i].tv_usec >= kNsPerSecond / kNsPerMicro) return -EINVAL;
    times[i] = {given[i].tv_sec, given[i].tv_usec * kNsPerMicro};
  }
  return set_times(c, t, times);
}

int64_t sys_utimes(SyscallContext& c) {
  Target t;
  if (const int e = target_at(c, AT_FDCWD, c.arg(0), 0, false, t); e != 0) return e;
  return set_times_in_microseconds(c, t, c.arg(1));
}
int64_t sys_futimesat(SyscallContext& c) {
  Target t;
  if (const int e = target_at(c, c.int_arg(0), c.arg(1), 0, false, t); e != 0) return e;
  return set_times_in_microseconds(c, t, c.arg(2));
}
int64_t sys_utime(SyscallContext& c) {
  Target t;
  if (const int e = target_at(c, AT_FDCWD, c.arg(0), 0, false, t); e != 0) return e;
  if (c.arg(1) == 0) return set_times(c, t, nullptr);
  struct utimbuf given {};
  if (!c.user().read_value(c.arg(1), given)) return -EFAULT;
  const vfs::Timespec times[2] = {{given.actime, 0}, {given.modtime, 0}};
  return set_times(c, t, times);
}

}  // namespace

void register_attributes(SyscallTable& table) {
  table.add(SYS_chmod, sys_chmod);
  table.add(SYS_fchmod, sys_fchmod);
  table.add(SYS_fchmodat, sys_fchmodat);
  table.add(SYS_chown, sys_chown);
  table.add(SYS_fchown, sys_fchown);
  table.add(SYS_lchown, sys_lchown);
  table.add(SYS_fchownat, sys_fchownat);
  table.add(SYS_utimensat, sys_utimensat);
  table.add(SYS_utimes, sys_utimes);
  table.add(SYS_futimesat, sys_futimesat);
  table.add(SYS_utime, sys_utime);
}

}  // namespace vmlab::os::file_syscalls
