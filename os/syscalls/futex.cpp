// futex(2): sleeping on a word of user memory until another task wakes it (os/futex.h). A wait
// is a blocked call: the first try checks the word and queues the task, each retry asks whether
// a wake-up took it off the queue or its timeout (virtual time) has passed.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>

#include <cerrno>

#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"
#include "os/syscalls/time_values.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kFutexAlign = sizeof(uint32_t);

// FUTEX_WAKE_OP's operation word: op, comparison, and two 12-bit signed arguments.
struct WakeOp {
  int op, cmp;
  int32_t oparg, cmparg;
};
constexpr int kWakeOpShift = 28, kWakeCmpShift = 24, kWakeOpargShift = 12;
constexpr uint32_t kWakeOpFieldMask = 0xf, kWakeArgMask = 0xfff;
constexpr int kWakeArgSignBit = 11;

int32_t sign_extend_12(uint32_t v) {
  return static_cast<int32_t>(v << (31 - kWakeArgSignBit)) >> (31 - kWakeArgSignBit);
}

WakeOp decode_wake_op(uint32_t encoded) {
  WakeOp w{static_cast<int>((encoded >> kWakeOpShift) & kWakeOpFieldMask),
           static_cast<int>((encoded >> kWakeCmpShift) & kWakeOpFieldMask),
           sign_extend_12((encoded >> kWakeOpargShift) & kWakeArgMask),
           sign_extend_12(encoded & kWakeArgMask)};
  if ((w.op & FUTEX_OP_OPARG_SHIFT) != 0) {
    w.op &= ~FUTEX_OP_OPARG_SHIFT;
    w.oparg = w.oparg < 0 || w.oparg > 31 ? 0 : static_cast<int32_t>(1u << w.oparg);
  }
  return w;
}

std::optional<uint32_t> apply_wake_op(const WakeOp& w, uint32_t old) {
  const auto arg = static_cast<uint32_t>(w.oparg);
  switch (w.op) {
    case FUTEX_OP_SET:
      return arg;
    case FUTEX_OP_ADD:
      return old + arg;
    case FUTEX_OP_OR:
      return old | arg;
    case FUTEX_OP_ANDN:
      return old & ~arg;
    case FUTEX_OP_XOR:
      return old ^ arg;
    default:
      return std::nullopt;
  }
}

std::optional<bool> compare_wake_op(const WakeOp& w, uint32_t old) {
  const auto v = static_cast<int32_t>(old);
  switch (w.cmp) {
    case FUTEX_OP_CMP_EQ:
      return v == w.cmparg;
    case FUTEX_OP_CMP_NE:
      return v != w.cmparg;
    case FUTEX_OP_CMP_LT:
      return v < w.cmparg;
    case FUTEX_OP_CMP_LE:
      return v <= w.cmparg;
    case FUTEX_OP_CMP_GT:
      return v > w.cmparg;
    case FUTEX_OP_CMP_GE:
      return v >= w.cmparg;
    default:
      return std::nullopt;
  }
}

// The key of the word at `uaddr` (which the caller has read, so it is mapped): private
// futexes and private mappings by (address space, address); a shared file mapping by
// (file, offset) and shared anonymous memory by its frame, as Linux's get_futex_key.
FutexKey key_of(SyscallContext& c, uint64_t uaddr, bool private_futex) {
  AddressSpace& space = c.process.space();
  const Vma* vma = space.find_vma(uaddr);
  if (private_futex || vma == nullptr || vma->sharing == Sharing::kPrivate)
    return private_futex_key(space, uaddr);
  if (vma->file)
    return {reinterpret_cast<uintptr_t>(vma->file.get()), vma->file_offset + (uaddr - vma->start)};
  const mmu::Pte pte = space.read_pte(uaddr);
  const mmu::PageSize size = pte.page_size() ? mmu::PageSize::k2M : mmu::PageSize::k4K;
  return {0, pte.address().value + (uaddr & mmu::page_offset_mask(size))};
}

int64_t futex_wait(SyscallContext& c, uint64_t uaddr, uint32_t expected, uint32_t bitset,
                   bool private_futex, bool absolute, bool realtime) {
  if (c.retry) {
    if (!c.process.futex.queued) return 0;  // a wake-up took it
    const uint64_t deadline = c.process.blocked_call().wake_at_ns;
    if (deadline != 0 && c.kernel.now_ns() >= deadline) {
      c.kernel.futexes().cancel(c.process);
      return -ETIMEDOUT;
    }
    c.block = true;
    c.wake_at_ns = deadline;
    return 0;
  }
  if (bitset == 0) return -EINVAL;
  uint64_t deadline = 0;
  if (c.arg(3) != 0) {
    UserTimespec ts{};
    if (!c.user().read_value(c.arg(3), ts)) return -EFAULT;
    const std::optional<uint64_t> ns = duration_ns(ts);
    if (!ns) return -EINVAL;
    const uint64_t now = c.kernel.now_ns();
    // Absolute times are on CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME; the virtual clock's
    // realtime is the epoch plus the monotonic time.
    deadline = !absolute  ? time_after(now, *ns)
               : realtime ? *ns
                          : time_after(c.kernel.config().epoch_ns, *ns);
    deadline = std::max<uint64_t>(deadline, 1);
  }
  uint32_t value = 0;
  if (!c.user().read_value(uaddr, value)) return -EFAULT;
  if (value != expected) return -EAGAIN;
  if (deadline != 0 && c.kernel.now_ns() >= deadline) return -ETIMEDOUT;
  c.kernel.futexes().enqueue(c.process, key_of(c, uaddr, private_futex), bitset);
  c.block = true;
  c.wake_at_ns = deadline;
  return 0;
}

int64_t futex_wake_op(SyscallContext& c, uint64_t uaddr, bool private_futex) {
  const uint64_t uaddr2 = c.arg(4);
  if (uaddr2 % kFutexAlign != 0) return -EINVAL;
  const WakeOp w = decode_wake_op(static_cast<uint32_t>(c.arg(5)));
  uint32_t old = 0;
  if (!c.user().read_value(uaddr2, old)) return -EFAULT;
  const std::optional<uint32_t> updated = apply_wake_op(w, old);
  const std::optional<bool> hit = compare_wake_op(w, old);
  if (!updated || !hit) return -ENOSYS;
  if (!c.user().write_value(uaddr2, *updated)) return -EFAULT;
  FutexTable& table = c.kernel.futexes();
  int woken = table.wake(key_of(c, uaddr, private_futex), c.int_arg(2), kFutexBitsetMatchAny);
  if (*hit)
    woken += table.wake(key_of(c, uaddr2, private_futex), static_cast<int>(c.arg(3)),
                        kFutexBitsetMatchAny);
  return woken;
}

int64_t futex_requeue(SyscallContext& c, uint64_t uaddr, bool private_futex, bool compare) {
  const uint64_t uaddr2 = c.arg(4);
  if (uaddr2 % kFutexAlign != 0) return -EINVAL;
  const int wake_count = c.int_arg(2), requeue_count = static_cast<int>(c.arg(3));
  if (wake_count < 0 || requeue_count < 0) return -EINVAL;
  uint32_t value = 0;
  if (!c.user().read_value(uaddr, value)) return -EFAULT;
  if (compare && value != static_cast<uint32_t>(c.arg(5))) return -EAGAIN;
  uint32_t unused = 0;
  if (!c.user().read_value(uaddr2, unused)) return -EFAULT;
  return c.kernel.futexes().requeue(key_of(c, uaddr, private_futex),
                                    key_of(c, uaddr2, private_futex), wake_count, requeue_count);
}

int64_t sys_futex(SyscallContext& c) {
  const uint64_t uaddr = c.arg(0);
  const int op = c.int_arg(1);
  const int cmd = op & FUTEX_CMD_MASK;
  const bool private_futex = (op & FUTEX_PRIVATE_FLAG) != 0;
  const bool realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
  if (uaddr % kFutexAlign != 0) return -EINVAL;
  if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT) return -ENOSYS;
  const auto val = static_cast<uint32_t>(c.arg(2));
  switch (cmd) {
    case FUTEX_WAIT:
      return futex_wait(c, uaddr, val, kFutexBitsetMatchAny, private_futex, false, realtime);
    case FUTEX_WAIT_BITSET:
      return futex_wait(c, uaddr, val, static_cast<uint32_t>(c.arg(5)), private_futex, true,
                        realtime);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const uint32_t bitset =
          cmd == FUTEX_WAKE ? kFutexBitsetMatchAny : static_cast<uint32_t>(c.arg(5));
      if (bitset == 0) return -EINVAL;
      uint32_t unused = 0;
      if (!c.user().read_value(uaddr, unused)) return -EFAULT;
      return c.kernel.futexes().wake(key_of(c, uaddr, private_futex), static_cast<int>(val),
                                     bitset);
    }
    case FUTEX_REQUEUE:
      return futex_requeue(c, uaddr, private_futex, false);
    case FUTEX_CMP_REQUEUE:
      return futex_requeue(c, uaddr, private_futex, true);
    case FUTEX_WAKE_OP:
      return futex_wake_op(c, uaddr, private_futex);
    default:
      return -ENOSYS;  // priority-inheritance futexes are not modelled
  }
}

// A handler interrupts the wait: off the queue, and EINTR (glibc and Go retry).
int64_t futex_interrupted(SyscallContext& c) {
  c.kernel.futexes().cancel(c.process);
  return -EINTR;
}

}  // namespace

void register_futex_syscalls(SyscallTable& table) {
  table.add(SYS_futex, sys_futex, OnSignal::kInterrupt, futex_interrupted);
}

}  // namespace vmlab::os
