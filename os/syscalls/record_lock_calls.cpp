// fcntl's record locks (fcntl(2) "Advisory record locking" and "Open file description
// locks"): F_GETLK, F_SETLK, F_SETLKW and F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW. The lock
// table is the file system's (os/vfs/record_locks.h); this file turns struct flock into it.
#include <sys/syscall.h>

#include <cerrno>

#include "os/syscalls/file_common.h"

namespace vmlab::os::file_syscalls {

namespace {

using vfs::RecordLocks;

bool is_ofd(int command) {
  return command == F_OFD_GETLK || command == F_OFD_SETLK || command == F_OFD_SETLKW;
}

// The byte range `l` describes for `file` (flock_to_posix_lock): -errno on bad input.
int range_of(const struct flock& l, vfs::OpenFile& file, RecordLocks::Range* out) {
  int64_t base = 0;
  switch (l.l_whence) {
    case SEEK_SET:
      break;
    case SEEK_CUR:
      base = std::max<int64_t>(0, file.seek(0, SEEK_CUR));  // a pipe's position is 0
      break;
    case SEEK_END:
      base = file.stat().size;
      break;
    default:
      return -EINVAL;
  }
  int64_t start = 0;
  if (__builtin_add_overflow(base, l.l_start, &start)) return -EOVERFLOW;
  if (start < 0) return -EINVAL;
  if (l.l_len == 0) {
    *out = {static_cast<uint64_t>(start), RecordLocks::kToEnd};
  } else if (l.l_len > 0) {
    int64_t end = 0;
    if (__builtin_add_overflow(start, l.l_len - 1, &end)) return -EOVERFLOW;
    *out = {static_cast<uint64_t>(start), static_cast<uint64_t>(end) + 1};
  } else {  // a negative length locks the bytes before l_start
    if (start + l.l_len < 0) return -EINVAL;
    *out = {static_cast<uint64_t>(start + l.l_len), static_cast<uint64_t>(start)};
  }
  return 0;
}

RecordLocks::Type type_of(short l_type) {
  return l_type == F_WRLCK ? RecordLocks::Type::kWrite : RecordLocks::Type::kRead;
}

// A process holds POSIX locks on a file while it lives and has a descriptor of it open.
RecordLocks::PosixHolderCheck holder_check(Kernel& k) {
  return [&k](int pid, uintptr_t key) {
    Process* p = k.find(pid);
    if (p == nullptr || p->state() == ProcessState::kZombie) return false;
    for (const int fd : p->fds().open_fds())
      if (vfs::lock_key(*p->fds().get(fd)) == key) return true;
    return false;
  };
}

int64_t get_lock(SyscallContext& c, vfs::OpenFile& file, const RecordLocks::Owner& owner,
                 struct flock& l, RecordLocks::Range range) {
  if (l.l_type != F_RDLCK && l.l_type != F_WRLCK) return -EINVAL;
  const auto found = c.kernel.fs().record_locks().conflict(
      vfs::lock_key(file), owner, type_of(l.l_type), range, holder_check(c.kernel));
  if (!found) {
    l.l_type = F_UNLCK;  // Linux leaves the other fields as the caller gave them
  } else {
    l.l_type = found->type == RecordLocks::Type::kWrite ? F_WRLCK : F_RDLCK;
    l.l_whence = SEEK_SET;
    l.l_start = static_cast<off_t>(found->range.start);
    l.l_len = found->range.end == RecordLocks::kToEnd
                  ? 0
                  : static_cast<off_t>(found->range.end - found->range.start);
    l.l_pid = found->owner.ofd != nullptr ? -1 : found->owner.pid;  // the owner's tgid
  }
  return c.user().write_value(c.arg(2), l) ? 0 : -EFAULT;
}

int64_t set_lock(SyscallContext& c, vfs::OpenFile& file, const RecordLocks::Owner& owner,
                 const struct flock& l, RecordLocks::Range range, bool wait) {
  RecordLocks& locks = c.kernel.fs().record_locks();
  const uintptr_t key = vfs::lock_key(file);
  const int pid = c.process.tgid();  // POSIX locks belong to the process, not the thread
  if (l.l_type == F_UNLCK) {
    locks.set(key, owner, std::nullopt, range);
    return 0;
  }
  if (l.l_type != F_RDLCK && l.l_type != F_WRLCK) return -EINVAL;
  if (l.l_type == F_RDLCK ? !file.can_read() : !file.can_write()) return -EBADF;
  const auto found = locks.conflict(key, owner, type_of(l.l_type), range, holder_check(c.kernel));
  if (!found) {
    locks.stop_waiting(pid);
    locks.set(key, owner, type_of(l.l_type), range);
    return 0;
  }
  if (!wait) return -EAGAIN;
  if (owner.ofd == nullptr && found->owner.ofd == nullptr) {
    Kernel& k = c.kernel;
    const auto waiting = [&k](int p) {
      Process* w = k.find(p);
      return w != nullptr && w->state() == ProcessState::kBlocked &&
             w->blocked_call().number == SYS_fcntl;
    };
    if (locks.would_deadlock(pid, found->owner.pid, waiting)) {
      locks.stop_waiting(pid);
      return -EDEADLK;
    }
    locks.start_waiting(pid, found->owner.pid);
  } else {
    locks.stop_waiting(pid);  // OFD locks take no part in deadlock detection (as on Linux)
  }
  c.block = true;  // tried again each time the scheduler comes back to it
  return 0;
}

}  // namespace

int64_t fcntl_record_lock(SyscallContext& c, const std::shared_ptr<vfs::OpenFile>& file,
                          int command) {
  struct flock l {};
  if (!c.user().read_value(c.arg(2), l)) return -EFAULT;
  RecordLocks::Owner owner{c.process.tgid(), {}, nullptr};
  if (is_ofd(command)) {
    if (l.l_pid != 0) return -EINVAL;
    owner.description = file;
    owner.ofd = file.get();
  }
  RecordLocks::Range range;
  if (const int e = range_of(l, *file, &range); e != 0) return e;
  if (command == F_GETLK || command == F_OFD_GETLK) return get_lock(c, *file, owner, l, range);
  const bool wait = command == F_SETLKW || command == F_OFD_SETLKW;
  return set_lock(c, *file, owner, l, range, wait);
}

void release_record_locks(SyscallContext& c, const vfs::OpenFile& file) {
  c.kernel.fs().record_locks().release_posix(vfs::lock_key(file), c.process.tgid());
}

}  // namespace vmlab::os::file_syscalls
