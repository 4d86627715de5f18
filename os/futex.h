// Tasks waiting in futex(2), queued by key in arrival order, so that which waiter a wake-up
// picks is deterministic (Linux's futex hash buckets, FIFO within one key, without priorities).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>

namespace vmlab::os {

class Process;

// A private futex is a virtual address of one address space; a shared one is a physical
// address (the same word mapped by several processes), with `space` 0.
struct FutexKey {
  uint64_t space = 0;
  uint64_t address = 0;
  auto operator<=>(const FutexKey&) const = default;
};

class AddressSpace;

// The key of a private futex (or a word of private memory): the space and the address.
inline FutexKey private_futex_key(const AddressSpace& space, uint64_t address) {
  return {reinterpret_cast<uintptr_t>(&space), address};
}

inline constexpr uint32_t kFutexBitsetMatchAny = 0xffff'ffff;

class FutexTable {
 public:
  // `task` sleeps on `key` until a wake-up whose bitset shares a bit with `bitset`.
  void enqueue(Process& task, FutexKey key, uint32_t bitset);
  // Wakes up to `count` waiters of `key` that accept `bitset`; returns how many.
  int wake(FutexKey key, int count, uint32_t bitset);
  // Wakes up to `wake_count` waiters of `from` and moves up to `requeue_count` of the others to
  // `to` (FUTEX_REQUEUE); returns woken + moved.
  int requeue(FutexKey from, FutexKey to, int wake_count, int requeue_count);
  // `task` stops waiting (timeout, signal, exit): off its queue if a wake-up did not take it.
  void cancel(Process& task);
  size_t waiters() const;

 private:
  std::map<FutexKey, std::deque<Process*>> queues_;
};

}  // namespace vmlab::os
