#include "os/page_cache.h"

namespace vmlab::os {

std::optional<PageCache::Page> PageCache::get(const std::shared_ptr<vfs::Inode>& inode,
                                              uint64_t index) {
  const Key key{inode->cache_id(), index};
  if (auto it = pages_.find(key); it != pages_.end()) {
    ++hits_;
    frames_.get(it->second);
    return Page{it->second, Source::kCache};
  }
  const auto frame = frames_.allocate(FrameUse::kFile);
  if (!frame) return std::nullopt;
  uint8_t* bytes = frames_.memory().host(frame->address(), mmu::kPageBytes);
  const int64_t n = inode->read(index << mmu::kPageShift, {bytes, mmu::kPageBytes});
  if (n < 0) {
    frames_.put(*frame);
    return std::nullopt;
  }
  ++reads_;
  Frame& f = frames_.frame(*frame);
  f.file_id = static_cast<uint32_t>(inode->cache_id());
  f.file_page = index;
  pages_.emplace(key, *frame);
  inodes_.emplace(inode->cache_id(), inode);
  frames_.get(*frame);  // the caller's reference; the allocation's is the cache's
  return Page{*frame, Source::kFile};
}

bool PageCache::drop(mmu::Pfn frame) {
  Frame& f = frames_.frame(frame);
  if (f.use != FrameUse::kFile || !f.rmap.empty()) return false;
  pages_.erase(Key{f.file_id, f.file_page});
  frames_.put(frame);
  return true;
}

uint64_t PageCache::drop_unmapped() {
  uint64_t dropped = 0;
  for (auto it = pages_.begin(); it != pages_.end();) {
    const mmu::Pfn frame = it->second;
    if (frames_.frame(frame).rmap.empty()) {
      it = pages_.erase(it);
      frames_.put(frame);
      ++dropped;
    } else {
      ++it;
    }
  }
  if (pages_.empty()) inodes_.clear();
  return dropped;
}

}  // namespace vmlab::os
