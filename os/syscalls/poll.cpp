// poll and ppoll (fs/select.c do_sys_poll): the revents of each struct pollfd, the number of
// descriptors with any; waiting on the virtual clock until one is ready, the timeout passes
// or a handler interrupts (EINTR, never restarted).
#include <sys/syscall.h>

#include <cerrno>
#include <span>
#include <vector>

#include "os/kernel.h"
#include "os/syscalls/poll_wait.h"
#include "os/syscalls/syscall_table.h"
#include "os/syscalls/time_values.h"

namespace vmlab::os {

namespace {

using poll_wait::Deadline;
using poll_wait::TimeFormat;

struct PollFd {
  int32_t fd;
  uint16_t events;
  uint16_t revents;
};
static_assert(sizeof(PollFd) == 8);

// The array of a call: poll(fds, nfds, ...) and ppoll(fds, nfds, ...).
struct PollArray {
  uint64_t address;
  std::vector<PollFd> entries;

  std::span<uint8_t> bytes() {
    return {reinterpret_cast<uint8_t*>(entries.data()), entries.size() * sizeof(PollFd)};
  }
};

// Reads the array: 0, -EINVAL beyond RLIMIT_NOFILE entries, -EFAULT.
int64_t read_array(SyscallContext& c, PollArray& array) {
  const uint32_t count = static_cast<uint32_t>(c.arg(1));
  if (count > static_cast<uint32_t>(vfs::FdTable::kMaxFds)) return -EINVAL;
  array.address = c.arg(0);
  array.entries.assign(count, PollFd{});
  return c.user().read(array.address, array.bytes()) ? 0 : -EFAULT;
}

// Linux's do_pollfd: nothing for a negative fd, POLLNVAL for one that is not open, else what
// the file reports among the events asked for, POLLERR and POLLHUP.
uint16_t revents_of(Process& process, const PollFd& entry) {
  if (entry.fd < 0) return 0;
  const auto file = process.fds().get(entry.fd);
  if (!file) return vfs::poll_bits::kNval;
  const uint32_t wanted = entry.events | vfs::poll_bits::kErr | vfs::poll_bits::kHup;
  return static_cast<uint16_t>(file->poll() & wanted);
}

// One pass: the entries with revents, reported back when there are some or when the deadline
// has passed; otherwise the call blocks and nothing is written.
int64_t poll_once(SyscallContext& c, const Deadline& deadline) {
  PollArray array;
  if (const int64_t err = read_array(c, array); err != 0) return err;
  int64_t ready = 0;
  for (PollFd& entry : array.entries) {
    entry.revents = revents_of(c.process, entry);
    if (entry.revents != 0) ++ready;
  }
  if (ready == 0 && !deadline.passed(c.kernel.now_ns())) {
    deadline.block(c);
    return 0;
  }
  return c.user().write(array.address, array.bytes()) ? ready : -EFAULT;
}

// A handler interrupted the wait: every revents is 0, as Linux copies them back anyway.
int64_t clear_revents(SyscallContext& c) {
  PollArray array;
  if (const int64_t err = read_array(c, array); err != 0) return err;
  for (PollFd& entry : array.entries)
    entry.revents = 0;
  return c.user().write(array.address, array.bytes()) ? -EINTR : -EFAULT;
}

int64_t sys_poll(SyscallContext& c) {
  const int timeout_ms = c.int_arg(2);
  const Deadline deadline = c.retry          ? Deadline::of_blocked_call(c)
                            : timeout_ms < 0 ? Deadline::forever()
                                             : Deadline::after(c, timeout_ms * kNsPerMilli);
  return poll_once(c, deadline);
}

// ppoll(fds, nfds, timeout, sigmask, sigsetsize)
int64_t sys_ppoll(SyscallContext& c) {
  const uint64_t timeout = c.arg(2);
  Deadline deadline = Deadline::forever();
  if (c.retry) {
    deadline = Deadline::of_blocked_call(c);
  } else {
    if (const int64_t e = poll_wait::read_timeout(c, timeout, TimeFormat::kTimespec, &deadline))
      return e;
    if (const int64_t e = poll_wait::set_temporary_mask(c, c.arg(3), c.arg(4))) return e;
  }
  return poll_wait::finish(c, deadline, poll_once(c, deadline), timeout, TimeFormat::kTimespec);
}

int64_t ppoll_interrupted(SyscallContext& c) {
  poll_wait::write_time_left(c, Deadline::of_blocked_call(c), c.arg(2), TimeFormat::kTimespec);
  return clear_revents(c);
}

}  // namespace

void register_poll_syscalls(SyscallTable& table) {
  table.add(SYS_poll, sys_poll, OnSignal::kInterrupt, clear_revents);
  table.add(SYS_ppoll, sys_ppoll, OnSignal::kInterrupt, ppoll_interrupted);
}

}  // namespace vmlab::os
