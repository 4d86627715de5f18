// What programs ask about file systems rather than files: statfs/fstatfs, and extended
// attributes. vmlab's file systems (the overlay root, /proc, /sys, /dev) hold no extended
// attributes: reads find none (ENODATA, as for an ext4 file without that attribute, which is
// what ls asks for SELinux labels and ACLs), lists are empty, and setting one is refused
// (ENOTSUP, as a file system without xattr support answers).
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include <cerrno>

#include "os/syscalls/file_common.h"
#include "os/vfs/overlay_state.h"

namespace vmlab::os {

namespace {

using file_syscalls::path_arg;

constexpr uint64_t kXattrNameMax = 255;  // XATTR_NAME_MAX
constexpr int64_t kNameMax = 255;        // NAME_MAX

// struct statfs of the file system `st` lives on. The overlay's capacity is the machine's
// memory, where its files live.
int64_t write_statfs(SyscallContext& c, uint64_t pointer, const vfs::FileStat& st) {
  struct statfs out {};
  out.f_bsize = out.f_frsize = vfs::kBlockSize;
  out.f_namelen = kNameMax;
  if (st.dev == vfs::kProcfsDevice) {
    out.f_type = PROC_SUPER_MAGIC;
  } else if (st.dev == vfs::kSysfsDevice) {
    out.f_type = SYSFS_MAGIC;
  } else if (st.dev == vfs::kDevfsDevice) {
    out.f_type = TMPFS_MAGIC;
  } else {
    out.f_type = OVERLAYFS_SUPER_MAGIC;
    out.f_blocks = c.kernel.frames().total_frames();
    out.f_bfree = out.f_bavail = c.kernel.frames().free_frames();
  }
  return c.user().write_value(pointer, out) ? 0 : -EFAULT;
}

int64_t sys_statfs(SyscallContext& c) {
  std::string path;
  if (const int e = path_arg(c, c.arg(0), path); e != 0) return e;
  const auto found = c.kernel.fs().resolve(path, c.process.cwd, vfs::Follow::kYes);
  if (!found) return found.error().syscall_return();
  return write_statfs(c, c.arg(1), found->inode->stat());
}

int64_t sys_fstatfs(SyscallContext& c) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) return -EBADF;
  return write_statfs(c, c.arg(1), file->stat());
}

// The attribute name argument: EFAULT, ERANGE for an empty or overlong name.
int attribute_name(SyscallContext& c, uint64_t pointer) {
  const auto name = c.user().read_string(pointer, kXattrNameMax + 1);
  if (!name) return name.error() == Errno(ENAMETOOLONG) ? -ERANGE : -name.error().code();
  if (name->empty() || name->size() > kXattrNameMax) return -ERANGE;
  return 0;
}

// The file a path-based xattr call names (following the last symlink unless `follow` is
// kNo, as the l*xattr calls do): 0 or -errno.
int find_file(SyscallContext& c, vfs::Follow follow) {
  std::string path;
  if (const int e = path_arg(c, c.arg(0), path); e != 0) return e;
  const auto found = c.kernel.fs().resolve(path, c.process.cwd, follow);
  return found ? 0 : static_cast<int>(found.error().syscall_return());
}
int find_descriptor(SyscallContext& c) {
  return c.process.fds().get(c.int_arg(0)) ? 0 : -EBADF;
}

int64_t get_attribute(SyscallContext& c, int found) {
  if (found != 0) return found;
  if (const int e = attribute_name(c, c.arg(1)); e != 0) return e;
  return -ENODATA;
}
int64_t list_attributes(int found) {
  return found != 0 ? found : 0;
}
int64_t set_attribute(SyscallContext& c, int found) {
  if (found != 0) return found;
  if (const int e = attribute_name(c, c.arg(1)); e != 0) return e;
  return -ENOTSUP;
}

int64_t sys_getxattr(SyscallContext& c) {
  return get_attribute(c, find_file(c, vfs::Follow::kYes));
}
int64_t sys_lgetxattr(SyscallContext& c) {
  return get_attribute(c, find_file(c, vfs::Follow::kNo));
}
int64_t sys_fgetxattr(SyscallContext& c) {
  return get_attribute(c, find_descriptor(c));
}
int64_t sys_listxattr(SyscallContext& c) {
  return list_attributes(find_file(c, vfs::Follow::kYes));
}
int64_t sys_llistxattr(SyscallContext& c) {
  return list_attributes(find_file(c, vfs::Follow::kNo));
}
int64_t sys_flistxattr(SyscallContext& c) {
  return list_attributes(find_descriptor(c));
}
int64_t sys_setxattr(SyscallContext& c) {
  return set_attribute(c, find_file(c, vfs::Follow::kYes));
}
int64_t sys_lsetxattr(SyscallContext& c) {
  return set_attribute(c, find_file(c, vfs::Follow::kNo));
}
int64_t sys_fsetxattr(SyscallContext& c) {
  return set_attribute(c, find_descriptor(c));
}
// Removing an attribute that is not there.
int64_t sys_removexattr(SyscallContext& c) {
  return get_attribute(c, find_file(c, vfs::Follow::kYes));
}
int64_t sys_lremovexattr(SyscallContext& c) {
  return get_attribute(c, find_file(c, vfs::Follow::kNo));
}
int64_t sys_fremovexattr(SyscallContext& c) {
  return get_attribute(c, find_descriptor(c));
}

}  // namespace

void register_file_system_info_syscalls(SyscallTable& table) {
  table.add(SYS_statfs, sys_statfs);
  table.add(SYS_fstatfs, sys_fstatfs);
  table.add(SYS_getxattr, sys_getxattr);
  table.add(SYS_lgetxattr, sys_lgetxattr);
  table.add(SYS_fgetxattr, sys_fgetxattr);
  table.add(SYS_listxattr, sys_listxattr);
  table.add(SYS_llistxattr, sys_llistxattr);
  table.add(SYS_flistxattr, sys_flistxattr);
  table.add(SYS_setxattr, sys_setxattr);
  table.add(SYS_lsetxattr, sys_lsetxattr);
  table.add(SYS_fsetxattr, sys_fsetxattr);
  table.add(SYS_removexattr, sys_removexattr);
  table.add(SYS_lremovexattr, sys_lremovexattr);
  table.add(SYS_fremovexattr, sys_fremovexattr);
}

}  // namespace vmlab::os
