#include "os/vfs/file_locks.h"

#include <algorithm>
#include <cerrno>

namespace vmlab::os::vfs {

uintptr_t lock_key(const OpenFile& file) {
  const auto inode = file.inode();
  if (!inode) return reinterpret_cast<uintptr_t>(&file);
  if (inode->cache_id() != kNoCacheId) return static_cast<uintptr_t>(inode->cache_id());
  return reinterpret_cast<uintptr_t>(inode.get());
}

int FileLocks::lock(const std::shared_ptr<OpenFile>& file, Kind kind) {
  std::vector<Holder>& holders = holders_[lock_key(*file)];
  std::erase_if(holders, [](const Holder& h) { return h.file.expired(); });
  Holder* mine = nullptr;
  for (Holder& h : holders) {
    const auto other = h.file.lock();
    if (other == file) {
      mine = &h;
    } else if (kind == Kind::kExclusive || h.kind == Kind::kExclusive) {
      return -EWOULDBLOCK;
    }
  }
  if (mine != nullptr) {
    mine->kind = kind;
  } else {
    holders.push_back(Holder{file, kind});
  }
  return 0;
}

void FileLocks::unlock(const std::shared_ptr<OpenFile>& file) {
  auto it = holders_.find(lock_key(*file));
  if (it == holders_.end()) return;
  std::erase_if(it->second,
                [&](const Holder& h) { return h.file.expired() || h.file.lock() == file; });
  if (it->second.empty()) holders_.erase(it);
}

}  // namespace vmlab::os::vfs
