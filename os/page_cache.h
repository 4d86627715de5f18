// The page cache: file pages in frames, shared by every process that maps the same file.
// A cached page holds one frame reference of its own, so it outlives the processes mapping
// it until reclaim or shutdown drops it.
//
// The cache and the file stay one copy, as on Linux: write() also updates the cached pages it
// covers (refresh), and pages written through shared mappings go back to the file (write_back)
// before the file is read by a system call, on msync and fsync, and before reclaim drops them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "os/frame_allocator.h"
#include "os/vfs/inode.h"

namespace vmlab::os {

class PageCache {
 public:
  explicit PageCache(FrameAllocator& frames) : frames_(frames) {}

  enum class Source : uint8_t { kCache, kFile };
  struct Page {
    mmu::Pfn frame;
    Source source;
  };
  // The frame holding page `index` of `inode`, read from the file on a miss, with one extra
  // reference for the caller (who maps it or puts it back): reclaim cannot drop a page in use.
  // The bytes past the end of the file read as zeros. nullopt if memory or the read fails.
  std::optional<Page> get(const std::shared_ptr<vfs::Inode>& inode, uint64_t index);
  // Removes one page (reclaim): only possible while no PTE maps it. A dirty page is written
  // back first.
  bool drop(mmu::Pfn frame);
  // Writes the pages of `inode` in [offset, offset + length) that a mapping wrote to (a PTE
  // with D set, or Frame::dirty) back to the file. Bytes past the end of the file stay out.
  void write_back(vfs::Inode& inode, uint64_t offset = 0, uint64_t length = UINT64_MAX);
  // sync(2): write_back for every cached file.
  void write_back_all();
  // After a write() of [offset, offset + length) to `inode`: the cached pages read the new bytes.
  void refresh(vfs::Inode& inode, uint64_t offset, uint64_t length);
  // Drops every page that nothing maps (like echo 1 > /proc/sys/vm/drop_caches).
  uint64_t drop_unmapped();
  uint64_t pages() const { return pages_.size(); }
  void for_each_frame(const std::function<void(mmu::Pfn)>& fn) const {
    for (const auto& [key, frame] : pages_)
      fn(frame);
  }
  uint64_t reads() const { return reads_; }
  uint64_t hits() const { return hits_; }

 private:
  using Key = std::pair<uint64_t, uint64_t>;  // (inode cache id, page index)
  // Calls fn(index, frame) for the cached pages of `inode` overlapping [offset, offset + length).
  void for_each_page(const vfs::Inode& inode, uint64_t offset, uint64_t length,
                     const std::function<void(uint64_t, mmu::Pfn)>& fn) const;
  bool written_through_mapping(const Frame& frame) const;
  void write_page_back(vfs::Inode& inode, uint64_t index, mmu::Pfn frame);
  FrameAllocator& frames_;
  std::map<Key, mmu::Pfn> pages_;
  std::map<uint64_t, std::shared_ptr<vfs::Inode>> inodes_;  // keeps cached files readable
  uint64_t reads_ = 0;
  uint64_t hits_ = 0;
};

}  // namespace vmlab::os
