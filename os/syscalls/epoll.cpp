// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2 over
// vfs::Epoll: waiting on the virtual clock like poll (os/syscalls/poll_wait.h) until an entry
// is ready, the timeout passes or a handler interrupts (EINTR, never restarted).
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#include <cerrno>
#include <climits>
#include <vector>

#include "os/kernel.h"
#include "os/syscalls/poll_wait.h"
#include "os/syscalls/syscall_table.h"
#include "os/syscalls/time_values.h"
#include "os/vfs/epoll.h"
#include "os/vfs/overlay_state.h"

namespace vmlab::os {

namespace {

using poll_wait::Deadline;
using poll_wait::TimeFormat;

// struct epoll_event is packed on x86-64.
struct [[gnu::packed]] EpollEvent {
  uint32_t events;
  uint64_t data;
};
static_assert(sizeof(EpollEvent) == 12);

constexpr int kMaxEvents = INT_MAX / static_cast<int>(sizeof(EpollEvent));

int64_t create_epoll(SyscallContext& c, bool cloexec) {
  vfs::OverlayState& state = *c.kernel.fs().state();
  return c.process.fds().allocate(std::make_shared<vfs::Epoll>(state.new_ino(), state.now()),
                                  cloexec);
}

int64_t sys_epoll_create(SyscallContext& c) {
  return c.int_arg(0) <= 0 ? -EINVAL : create_epoll(c, false);
}

int64_t sys_epoll_create1(SyscallContext& c) {
  const int flags = c.int_arg(0);
  if ((flags & ~EPOLL_CLOEXEC) != 0) return -EINVAL;
  return create_epoll(c, (flags & EPOLL_CLOEXEC) != 0);
}

// The epoll instance on descriptor argument 0: -EBADF, or -EINVAL for another file.
std::shared_ptr<vfs::Epoll> epoll_arg(SyscallContext& c, int64_t& error) {
  auto file = c.process.fds().get(c.int_arg(0));
  auto epoll = std::dynamic_pointer_cast<vfs::Epoll>(file);
  error = !file ? -EBADF : !epoll ? -EINVAL : 0;
  return epoll;
}

// Files epoll cannot watch: regular files and directories (no poll method: EPERM).
bool pollable(const vfs::OpenFile& file) {
  const auto inode = file.inode();
  return !inode || (!inode->is_regular() && !inode->is_directory());
}

// epoll_ctl(epfd, op, fd, event)
int64_t sys_epoll_ctl(SyscallContext& c) {
  const int op = c.int_arg(1);
  EpollEvent event{};
  if (op != EPOLL_CTL_DEL && !c.user().read_value(c.arg(3), event)) return -EFAULT;
  const auto epoll_file = c.process.fds().get(c.int_arg(0));
  const int fd = c.int_arg(2);
  const auto file = c.process.fds().get(fd);
  if (!epoll_file || !file) return -EBADF;
  if (!pollable(*file)) return -EPERM;
  const auto epoll = std::dynamic_pointer_cast<vfs::Epoll>(epoll_file);
  if (!epoll || file == epoll_file) return -EINVAL;
  switch (op) {
    case EPOLL_CTL_ADD:
      return epoll->add(fd, file, event.events, event.data);
    case EPOLL_CTL_MOD:
      if ((event.events & vfs::Epoll::kExclusive) != 0) return -EINVAL;
      return epoll->modify(fd, *file, event.events, event.data);
    case EPOLL_CTL_DEL:
      return epoll->remove(fd, *file);
    default:
      return -EINVAL;
  }
}

// One pass of epoll_wait(epfd, events, maxevents, ...): the ready entries written out, or a
// block until the deadline.
int64_t wait_once(SyscallContext& c, const Deadline& deadline) {
  const int max = c.int_arg(2);
  if (max <= 0 || max > kMaxEvents) return -EINVAL;
  int64_t error = 0;
  const auto epoll = epoll_arg(c, error);
  if (!epoll) return error;
  const std::vector<vfs::Epoll::Event> ready = epoll->collect(static_cast<size_t>(max));
  if (ready.empty() && !deadline.passed(c.kernel.now_ns())) {
    deadline.block(c);
    return 0;
  }
  std::vector<EpollEvent> out;
  for (const vfs::Epoll::Event& e : ready)
    out.push_back({e.events, e.data});
  const std::span<const uint8_t> bytes{reinterpret_cast<const uint8_t*>(out.data()),
                                       out.size() * sizeof(EpollEvent)};
  if (!out.empty() && !c.user().write(c.arg(1), bytes)) return -EFAULT;
  return static_cast<int64_t>(out.size());
}

Deadline millisecond_deadline(SyscallContext& c) {
  const int timeout_ms = c.int_arg(3);
  if (c.retry) return Deadline::of_blocked_call(c);
  return timeout_ms < 0 ? Deadline::forever() : Deadline::after(c, timeout_ms * kNsPerMilli);
}

int64_t sys_epoll_wait(SyscallContext& c) {
  return wait_once(c, millisecond_deadline(c));
}

// epoll_pwait(epfd, events, maxevents, timeout, sigmask, sigsetsize)
int64_t sys_epoll_pwait(SyscallContext& c) {
  const Deadline deadline = millisecond_deadline(c);
  if (!c.retry)
    if (const int64_t e = poll_wait::set_temporary_mask(c, c.arg(4), c.arg(5))) return e;
  return poll_wait::finish(c, deadline, wait_once(c, deadline), 0, TimeFormat::kTimespec);
}

// epoll_pwait2(epfd, events, maxevents, const struct timespec *timeout, sigmask, sigsetsize)
int64_t sys_epoll_pwait2(SyscallContext& c) {
  Deadline deadline = Deadline::forever();
  if (c.retry) {
    deadline = Deadline::of_blocked_call(c);
  } else {
    if (const int64_t e = poll_wait::read_timeout(c, c.arg(3), TimeFormat::kTimespec, &deadline))
      return e;
    if (const int64_t e = poll_wait::set_temporary_mask(c, c.arg(4), c.arg(5))) return e;
  }
  return poll_wait::finish(c, deadline, wait_once(c, deadline), 0, TimeFormat::kTimespec);
}

}  // namespace

void register_epoll_syscalls(SyscallTable& table) {
  table.add(SYS_epoll_create, sys_epoll_create);
  table.add(SYS_epoll_create1, sys_epoll_create1);
  table.add(SYS_epoll_ctl, sys_epoll_ctl);
  table.add(SYS_epoll_wait, sys_epoll_wait, OnSignal::kInterrupt);
  table.add(SYS_epoll_pwait, sys_epoll_pwait, OnSignal::kInterrupt);
  table.add(SYS_epoll_pwait2, sys_epoll_pwait2, OnSignal::kInterrupt);
}

}  // namespace vmlab::os
