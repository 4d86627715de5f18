// A process's file descriptor table: small integers naming shared open file descriptions,
// each with its own close-on-exec flag. Copying the table is what fork() does: both copies
// refer to the same OpenFile objects, so they share offsets and status flags, as on Linux.
#pragma once

#include <memory>
#include <vector>

#include "os/vfs/open_file.h"

namespace vmlab::os::vfs {

class FdTable {
 public:
  // Linux's default RLIMIT_NOFILE soft limit: descriptors are 0..kMaxFds-1.
  static constexpr int kMaxFds = 1024;

  // The open file behind `fd`, or null when `fd` is not open.
  std::shared_ptr<OpenFile> get(int fd) const;
  // Installs `file` at the lowest free descriptor >= min_fd: the descriptor, -EMFILE when none
  // is free, -EINVAL when min_fd is out of range (F_DUPFD's rules).
  int allocate(std::shared_ptr<OpenFile> file, bool cloexec, int min_fd = 0);
  // Installs `file` at exactly `fd`, closing what was there: `fd`, or -EBADF out of range.
  int install(int fd, std::shared_ptr<OpenFile> file, bool cloexec);
  // 0, or -EBADF when `fd` is not open.
  int close(int fd);
  void close_all();
  // dup / F_DUPFD / F_DUPFD_CLOEXEC: the new descriptor or -errno.
  int dup(int fd, int min_fd = 0, bool cloexec = false);
  // dup2: newfd == oldfd is a no-op returning it (if oldfd is open).
  int dup2(int oldfd, int newfd);
  // dup3: like dup2 but EINVAL for oldfd == newfd; `flags` may only hold O_CLOEXEC.
  int dup3(int oldfd, int newfd, int flags);
  // F_GETFD / F_SETFD: FD_CLOEXEC or 0; -EBADF.
  int fd_flags(int fd) const;
  int set_fd_flags(int fd, int flags);
  // execve: closes every descriptor marked close-on-exec.
  void close_on_exec();
  // Open descriptors, ascending.
  std::vector<int> open_fds() const;

 private:
  struct Slot {
    std::shared_ptr<OpenFile> file;
    bool cloexec = false;
  };
  bool is_open(int fd) const;

  std::vector<Slot> slots_;  // grows on demand up to kMaxFds
};

}  // namespace vmlab::os::vfs
