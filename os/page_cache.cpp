#include "os/page_cache.h"

#include <algorithm>
#include <cstring>

#include "os/address_space.h"

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
  if (f.dirty) write_page_back(*inodes_.at(f.file_id), f.file_page, frame);
  pages_.erase(Key{f.file_id, f.file_page});
  frames_.put(frame);
  return true;
}

uint64_t PageCache::drop_unmapped() {
  uint64_t dropped = 0;
  for (auto it = pages_.begin(); it != pages_.end();) {
    const mmu::Pfn frame = it->second;
    if (frames_.frame(frame).rmap.empty()) {
      if (frames_.frame(frame).dirty)
        write_page_back(*inodes_.at(it->first.first), it->first.second, frame);
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

void PageCache::for_each_page(const vfs::Inode& inode, uint64_t offset, uint64_t length,
                              const std::function<void(uint64_t, mmu::Pfn)>& fn) const {
  if (length == 0) return;
  const uint64_t first = offset >> mmu::kPageShift;
  const uint64_t last =
      (std::min(offset + length, UINT64_MAX - mmu::kPageOffsetMask) - 1) >> mmu::kPageShift;
  for (auto it = pages_.lower_bound(Key{inode.cache_id(), first});
       it != pages_.end() && it->first.first == inode.cache_id() && it->first.second <= last; ++it)
    fn(it->first.second, it->second);
}

bool PageCache::written_through_mapping(const Frame& frame) const {
  return frame.dirty || mapped_dirty(frame);
}

void PageCache::write_page_back(vfs::Inode& inode, uint64_t index, mmu::Pfn frame) {
  const uint64_t offset = index << mmu::kPageShift;
  const auto size = static_cast<uint64_t>(std::max<int64_t>(inode.stat().size, 0));
  if (offset < size) {
    const uint64_t bytes = std::min<uint64_t>(mmu::kPageBytes, size - offset);
    inode.write(offset, {frames_.memory().host(frame.address(), bytes), bytes});
  }
  frames_.frame(frame).dirty = false;
}

void PageCache::write_back(vfs::Inode& inode, uint64_t offset, uint64_t length) {
  for_each_page(inode, offset, length, [&](uint64_t index, mmu::Pfn frame) {
    if (written_through_mapping(frames_.frame(frame))) write_page_back(inode, index, frame);
  });
}

void PageCache::write_back_all() {
  for (const auto& [id, inode] : inodes_)
    write_back(*inode);
}

void PageCache::refresh(vfs::Inode& inode, uint64_t offset, uint64_t length) {
  for_each_page(inode, offset, length, [&](uint64_t index, mmu::Pfn frame) {
    const uint64_t page_start = index << mmu::kPageShift;
    const uint64_t from = std::max(offset, page_start);
    const uint64_t to = std::min(offset + length, page_start + mmu::kPageBytes);
    frames_.writing(frame);  // the frame may hold code the CPU translated
    uint8_t* bytes = frames_.memory().host(frame.address(), mmu::kPageBytes);
    inode.read(from, {bytes + (from - page_start), to - from});
  });
}

}  // namespace vmlab::os
