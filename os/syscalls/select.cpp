// select and pselect6 (fs/select.c core_sys_select): three descriptor bitmaps in, the ready
// ones out, the number of bits set; waiting on the virtual clock until one is ready, the
// timeout passes or a handler interrupts (EINTR, never restarted; the sets are then left
// alone).
#include <sys/syscall.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <span>
#include <vector>

#include "os/kernel.h"
#include "os/syscalls/poll_wait.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::os {

namespace {

using poll_wait::Deadline;
using poll_wait::TimeFormat;
using namespace vfs::poll_bits;

constexpr int kBitsPerWord = 64;  // fd_set is an array of longs
constexpr size_t kSets = 3;       // read, write, exceptional conditions
// What counts as ready in each set (POLLIN_SET, POLLOUT_SET, POLLEX_SET).
constexpr std::array<uint32_t, kSets> kReadyMask = {kRdNorm | kRdBand | kIn | kHup | kErr,
                                                    kWrBand | kWrNorm | kOut | kErr, kPri};

using FdBits = std::vector<uint64_t>;

std::span<uint8_t> bytes_of(FdBits& bits) {
  return {reinterpret_cast<uint8_t*>(bits.data()), bits.size() * sizeof(uint64_t)};
}

bool has_bit(const FdBits& bits, int fd) {
  return (bits[fd / kBitsPerWord] >> (fd % kBitsPerWord) & 1) != 0;
}

// One pass over select(n, in, out, ex, ...): the number of bits set in the results, written
// back when there are some or when the deadline has passed; otherwise the call blocks.
int64_t select_once(SyscallContext& c, const Deadline& deadline) {
  const int n_arg = c.int_arg(0);
  if (n_arg < 0) return -EINVAL;
  const int n = std::min(n_arg, vfs::FdTable::kMaxFds);  // Linux: the size of the fd table
  const size_t words = static_cast<size_t>((n + kBitsPerWord - 1) / kBitsPerWord);
  const std::array<uint64_t, kSets> addresses = {c.arg(1), c.arg(2), c.arg(3)};
  std::array<FdBits, kSets> wanted, ready;
  for (size_t s = 0; s < kSets; ++s) {
    wanted[s].assign(words, 0);
    ready[s].assign(words, 0);
    if (addresses[s] != 0 && !c.user().read(addresses[s], bytes_of(wanted[s]))) return -EFAULT;
  }
  int64_t count = 0;
  for (int fd = 0; fd < n; ++fd) {
    const bool asked = has_bit(wanted[0], fd) || has_bit(wanted[1], fd) || has_bit(wanted[2], fd);
    if (!asked) continue;
    const auto file = c.process.fds().get(fd);
    if (!file) return -EBADF;
    const uint32_t mask = file->poll();
    for (size_t s = 0; s < kSets; ++s) {
      if (!has_bit(wanted[s], fd) || (mask & kReadyMask[s]) == 0) continue;
      ready[s][fd / kBitsPerWord] |= uint64_t{1} << (fd % kBitsPerWord);
      ++count;
    }
  }
  if (count == 0 && !deadline.passed(c.kernel.now_ns())) {
    deadline.block(c);
    return 0;
  }
  for (size_t s = 0; s < kSets; ++s)
    if (addresses[s] != 0 && !c.user().write(addresses[s], bytes_of(ready[s]))) return -EFAULT;
  return count;
}

// select(n, in, out, ex, timeval)
int64_t sys_select(SyscallContext& c) {
  const uint64_t timeout = c.arg(4);
  Deadline deadline = Deadline::forever();
  if (c.retry)
    deadline = Deadline::of_blocked_call(c);
  else if (const int64_t e = poll_wait::read_timeout(c, timeout, TimeFormat::kTimeval, &deadline))
    return e;
  return poll_wait::finish(c, deadline, select_once(c, deadline), timeout, TimeFormat::kTimeval);
}

int64_t select_interrupted(SyscallContext& c) {
  poll_wait::write_time_left(c, Deadline::of_blocked_call(c), c.arg(4), TimeFormat::kTimeval);
  return -EINTR;
}

// pselect6(n, in, out, ex, timespec, {sigmask, sigsetsize})
int64_t sys_pselect6(SyscallContext& c) {
  const uint64_t timeout = c.arg(4);
  Deadline deadline = Deadline::forever();
  if (c.retry) {
    deadline = Deadline::of_blocked_call(c);
  } else {
    struct {
      uint64_t address, size;
    } mask{};
    if (c.arg(5) != 0 && !c.user().read_value(c.arg(5), mask)) return -EFAULT;
    if (const int64_t e = poll_wait::read_timeout(c, timeout, TimeFormat::kTimespec, &deadline))
      return e;
    if (const int64_t e = poll_wait::set_temporary_mask(c, mask.address, mask.size)) return e;
  }
  return poll_wait::finish(c, deadline, select_once(c, deadline), timeout, TimeFormat::kTimespec);
}

int64_t pselect6_interrupted(SyscallContext& c) {
  poll_wait::write_time_left(c, Deadline::of_blocked_call(c), c.arg(4), TimeFormat::kTimespec);
  return -EINTR;
}

}  // namespace

void register_select_syscalls(SyscallTable& table) {
  table.add(SYS_select, sys_select, OnSignal::kInterrupt, select_interrupted);
  table.add(SYS_pselect6, sys_pselect6, OnSignal::kInterrupt, pselect6_interrupted);
}

}  // namespace vmlab::os
