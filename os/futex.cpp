#include "os/futex.h"

#include <algorithm>

#include "os/process.h"

namespace vmlab::os {

void FutexTable::enqueue(Process& task, FutexKey key, uint32_t bitset) {
  cancel(task);
  task.futex.queued = true;
  task.futex.key_space = key.space;
  task.futex.key_address = key.address;
  task.futex.bitset = bitset;
  queues_[key].push_back(&task);
}

int FutexTable::wake(FutexKey key, int count, uint32_t bitset) {
  auto it = queues_.find(key);
  if (it == queues_.end()) return 0;
  int woken = 0;
  std::deque<Process*>& queue = it->second;
  for (auto w = queue.begin(); w != queue.end() && woken < count;) {
    if (((*w)->futex.bitset & bitset) == 0) {
      ++w;
      continue;
    }
    (*w)->futex.queued = false;  // its retried futex call returns 0
    w = queue.erase(w);
    ++woken;
  }
  if (queue.empty()) queues_.erase(it);
  return woken;
}

int FutexTable::requeue(FutexKey from, FutexKey to, int wake_count, int requeue_count) {
  int done = wake(from, wake_count, kFutexBitsetMatchAny);
  if (from == to) return done;
  auto it = queues_.find(from);
  if (it == queues_.end()) return done;
  std::deque<Process*>& queue = it->second;
  int moved = 0;
  while (!queue.empty() && moved < requeue_count) {
    Process* task = queue.front();
    queue.pop_front();
    task->futex.key_space = to.space;
    task->futex.key_address = to.address;
    queues_[to].push_back(task);
    ++moved;
  }
  if (queue.empty()) queues_.erase(from);
  return done + moved;
}

void FutexTable::cancel(Process& task) {
  if (!task.futex.queued) return;
  task.futex.queued = false;
  const FutexKey key{task.futex.key_space, task.futex.key_address};
  auto it = queues_.find(key);
  if (it == queues_.end()) return;
  std::erase(it->second, &task);
  if (it->second.empty()) queues_.erase(it);
}

size_t FutexTable::waiters() const {
  size_t n = 0;
  for (const auto& [key, queue] : queues_)
    n += queue.size();
  return n;
}

}  // namespace vmlab::os
