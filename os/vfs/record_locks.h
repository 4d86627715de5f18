// fcntl(2) record locks: advisory read/write locks on byte ranges of a file. A POSIX lock
// (F_SETLK) belongs to a process and goes away when that process closes any descriptor of
// the file or exits; an OFD lock (F_OFD_SETLK) belongs to an open file description (what dup
// and fork share) and goes away with its last descriptor. Locks of one owner never conflict;
// setting one replaces, splits and merges the owner's locks on the range, as Linux does.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "os/vfs/open_file.h"

namespace vmlab::os::vfs {

class RecordLocks {
 public:
  enum class Type : uint8_t { kRead, kWrite };
  // Bytes [start, end); kToEnd reaches past any offset (l_len 0: "to the end of the file,
  // however large it grows").
  static constexpr uint64_t kToEnd = std::numeric_limits<uint64_t>::max();
  struct Range {
    uint64_t start = 0;
    uint64_t end = kToEnd;
  };
  // Who holds a lock: a process (POSIX) or an open file description (OFD).
  struct Owner {
    int pid = 0;                          // the process that set it (POSIX and OFD)
    std::weak_ptr<OpenFile> description;  // OFD locks only
    const OpenFile* ofd = nullptr;        // identity of `description`; null for POSIX
  };
  struct Lock {
    Owner owner;
    Type type = Type::kRead;
    Range range;
  };
  // Does process `pid` still hold POSIX locks on file `key` (it is alive and has a descriptor
  // of the file open)? Locks of owners that no longer do are dropped before every query.
  using PosixHolderCheck = std::function<bool(int pid, uintptr_t key)>;

  // The first lock of another owner that conflicts with `type` on `range`, if any.
  std::optional<Lock> conflict(uintptr_t key, const Owner& owner, Type type, Range range,
                               const PosixHolderCheck& holds);
  // Sets (or with `type` empty, removes) `owner`'s lock on `range`; the caller has checked
  // for conflicts.
  void set(uintptr_t key, const Owner& owner, std::optional<Type> type, Range range);
  // close(2) by `pid` of a descriptor of `key`: its POSIX locks on the file go away.
  void release_posix(uintptr_t key, int pid);

  // F_SETLKW deadlock detection (POSIX locks only, like Linux): `pid` is about to wait for
  // `holder`. True when `holder` waits, directly or through a chain of waiters, for `pid`.
  // `waiting(p)` says whether process p still waits in F_SETLKW.
  bool would_deadlock(int pid, int holder, const std::function<bool(int)>& waiting) const;
  void start_waiting(int pid, int holder) { waits_for_[pid] = holder; }
  void stop_waiting(int pid) { waits_for_.erase(pid); }

  // Every lock on `key`, for tests and /proc/locks-style inspection.
  std::vector<Lock> locks_of(uintptr_t key) const;

 private:
  void prune(uintptr_t key, const PosixHolderCheck& holds);

  std::map<uintptr_t, std::vector<Lock>> locks_;
  std::map<int, int> waits_for_;  // a process waiting in F_SETLKW -> the pid it waits for
};

// Same owner: the same process for POSIX locks, the same open file description for OFD locks.
bool same_owner(const RecordLocks::Owner& a, const RecordLocks::Owner& b);

}  // namespace vmlab::os::vfs
