// flock(2) locks: advisory, whole-file, held by open file descriptions (what dup and fork
// share), shared or exclusive. A lock goes away with LOCK_UN or when the last descriptor of its
// description closes: holders are kept as weak references, so a closed description simply
// stops counting.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "os/vfs/open_file.h"

namespace vmlab::os::vfs {

// Which file a lock is on: the page-cache identity of a regular file (the same for every open
// of one host file), else the inode object, else the open file itself (a pipe).
uintptr_t lock_key(const OpenFile& file);

class FileLocks {
 public:
  enum class Kind : uint8_t { kShared, kExclusive };
  // Takes (or converts to) a lock of `kind` on the file `file` is open on: 0, or -EWOULDBLOCK
  // when another description holds a conflicting lock (the caller waits or fails).
  int lock(const std::shared_ptr<OpenFile>& file, Kind kind);
  void unlock(const std::shared_ptr<OpenFile>& file);

 private:
  struct Holder {
    std::weak_ptr<OpenFile> file;
    Kind kind;
  };
  std::map<uintptr_t, std::vector<Holder>> holders_;
};

}  // namespace vmlab::os::vfs
