#include "os/vfs/fd_table.h"

#include <fcntl.h>

#include <cerrno>

namespace vmlab::os::vfs {

bool FdTable::is_open(int fd) const {
  return fd >= 0 && static_cast<size_t>(fd) < slots_.size() && slots_[fd].file != nullptr;
}

std::shared_ptr<OpenFile> FdTable::get(int fd) const {
  return is_open(fd) ? slots_[fd].file : nullptr;
}

int FdTable::allocate(std::shared_ptr<OpenFile> file, bool cloexec, int min_fd) {
  if (min_fd < 0 || min_fd >= kMaxFds) return -EINVAL;
  for (int fd = min_fd; fd < kMaxFds; ++fd)
    if (!is_open(fd)) return install(fd, std::move(file), cloexec);
  return -EMFILE;
}

int FdTable::install(int fd, std::shared_ptr<OpenFile> file, bool cloexec) {
  if (fd < 0 || fd >= kMaxFds) return -EBADF;
  if (static_cast<size_t>(fd) >= slots_.size()) slots_.resize(fd + 1);
  slots_[fd] = Slot{std::move(file), cloexec};
  return fd;
}

int FdTable::close(int fd) {
  if (!is_open(fd)) return -EBADF;
  slots_[fd] = Slot{};
  return 0;
}

void FdTable::close_all() {
  slots_.clear();
}

int FdTable::dup(int fd, int min_fd, bool cloexec) {
  if (!is_open(fd)) return -EBADF;
  return allocate(slots_[fd].file, cloexec, min_fd);
}

int FdTable::dup2(int oldfd, int newfd) {
  if (!is_open(oldfd)) return -EBADF;
  if (oldfd == newfd) return newfd;
  return install(newfd, slots_[oldfd].file, false);
}

int FdTable::dup3(int oldfd, int newfd, int flags) {
  if ((flags & ~O_CLOEXEC) != 0 || oldfd == newfd) return -EINVAL;
  if (!is_open(oldfd)) return -EBADF;
  return install(newfd, slots_[oldfd].file, (flags & O_CLOEXEC) != 0);
}

int FdTable::fd_flags(int fd) const {
  if (!is_open(fd)) return -EBADF;
  return slots_[fd].cloexec ? FD_CLOEXEC : 0;
}

int FdTable::set_fd_flags(int fd, int flags) {
  if (!is_open(fd)) return -EBADF;
  slots_[fd].cloexec = (flags & FD_CLOEXEC) != 0;
  return 0;
}

void FdTable::close_on_exec() {
  for (Slot& slot : slots_)
    if (slot.cloexec) slot = Slot{};
}

std::vector<int> FdTable::open_fds() const {
  std::vector<int> out;
  for (int fd = 0; static_cast<size_t>(fd) < slots_.size(); ++fd)
    if (is_open(fd)) out.push_back(fd);
  return out;
}

}  // namespace vmlab::os::vfs
