#include "os/vfs/record_locks.h"

#include <algorithm>

namespace vmlab::os::vfs {

namespace {

// Linux gives up deadlock detection after this many links of the chain (MAX_DEADLK_ITERATIONS).
constexpr int kMaxDeadlockChain = 10;

bool overlaps(const RecordLocks::Range& a, const RecordLocks::Range& b) {
  return a.start < b.end && b.start < a.end;
}

// Same owner, same type, ranges touching or overlapping: one lock covers both.
bool mergeable(const RecordLocks::Lock& a, const RecordLocks::Lock& b) {
  return same_owner(a.owner, b.owner) && a.type == b.type && a.range.start <= b.range.end &&
         b.range.start <= a.range.end;
}

}  // namespace

bool same_owner(const RecordLocks::Owner& a, const RecordLocks::Owner& b) {
  if (a.ofd != nullptr || b.ofd != nullptr) return a.ofd == b.ofd;
  return a.pid == b.pid;
}

void RecordLocks::prune(uintptr_t key, const PosixHolderCheck& holds) {
  auto it = locks_.find(key);
  if (it == locks_.end()) return;
  std::erase_if(it->second, [&](const Lock& l) {
    return l.owner.ofd != nullptr ? l.owner.description.expired() : !holds(l.owner.pid, key);
  });
  if (it->second.empty()) locks_.erase(it);
}

std::optional<RecordLocks::Lock> RecordLocks::conflict(uintptr_t key, const Owner& owner, Type type,
                                                       Range range, const PosixHolderCheck& holds) {
  prune(key, holds);
  const auto it = locks_.find(key);
  if (it == locks_.end()) return std::nullopt;
  for (const Lock& l : it->second) {
    if (same_owner(l.owner, owner) || !overlaps(l.range, range)) continue;
    if (type == Type::kWrite || l.type == Type::kWrite) return l;
  }
  return std::nullopt;
}

void RecordLocks::set(uintptr_t key, const Owner& owner, std::optional<Type> type, Range range) {
  std::vector<Lock>& locks = locks_[key];
  // The owner's locks lose the range: one that covers it from both sides splits in two.
  std::vector<Lock> kept;
  for (Lock& l : locks) {
    if (!same_owner(l.owner, owner) || !overlaps(l.range, range)) {
      kept.push_back(std::move(l));
      continue;
    }
    if (l.range.start < range.start)
      kept.push_back({l.owner, l.type, {l.range.start, range.start}});
    if (range.end < l.range.end) kept.push_back({l.owner, l.type, {range.end, l.range.end}});
  }
  if (type) {
    Lock added{owner, *type, range};
    // Adjacent or overlapping locks of the same owner and type merge into it.
    std::erase_if(kept, [&](const Lock& l) {
      if (!mergeable(l, added)) return false;
      added.range = {std::min(l.range.start, added.range.start),
                     std::max(l.range.end, added.range.end)};
      return true;
    });
    kept.push_back(std::move(added));
  }
  std::sort(kept.begin(), kept.end(),
            [](const Lock& a, const Lock& b) { return a.range.start < b.range.start; });
  locks = std::move(kept);
  if (locks.empty()) locks_.erase(key);
}

void RecordLocks::release_posix(uintptr_t key, int pid) {
  auto it = locks_.find(key);
  if (it == locks_.end()) return;
  std::erase_if(it->second,
                [&](const Lock& l) { return l.owner.ofd == nullptr && l.owner.pid == pid; });
  if (it->second.empty()) locks_.erase(it);
}

bool RecordLocks::would_deadlock(int pid, int holder,
                                 const std::function<bool(int)>& waiting) const {
  int next = holder;
  for (int i = 0; i < kMaxDeadlockChain; ++i) {
    if (next == pid) return true;
    const auto it = waits_for_.find(next);
    if (it == waits_for_.end() || !waiting(next)) return false;
    next = it->second;
  }
  return false;
}

std::vector<RecordLocks::Lock> RecordLocks::locks_of(uintptr_t key) const {
  const auto it = locks_.find(key);
  return it == locks_.end() ? std::vector<Lock>{} : it->second;
}

}  // namespace vmlab::os::vfs
