#include "os/vfs/memory_inode.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vmlab::os::vfs {

namespace {

constexpr uint32_t kPermissionBits = 07777;
constexpr uint32_t kSymlinkMode = S_IFLNK | 0777;

}  // namespace

FileStat new_overlay_stat(OverlayState& state, uint32_t mode, uint64_t dev) {
  FileStat st;
  st.dev = dev;
  st.ino = state.new_ino();
  st.mode = mode;
  st.nlink = 1;
  st.blksize = kBlockSize;
  st.atime = st.mtime = st.ctime = state.now();
  return st;
}

MemoryFile::MemoryFile(std::shared_ptr<OverlayState> state, uint32_t mode, std::string path)
    : Inode(S_IFREG, state->new_cache_id(), std::move(path)),
      state_(std::move(state)),
      stat_(new_overlay_stat(*state_, S_IFREG | (mode & kPermissionBits))) {}

MemoryFile::MemoryFile(std::shared_ptr<OverlayState> state, const FileStat& host,
                       std::vector<uint8_t> data, std::string path)
    : Inode(S_IFREG, state->new_cache_id(), std::move(path)),
      state_(std::move(state)),
      stat_(host),
      data_(std::move(data)) {
  stat_.nlink = 1;  // the copy is a single name even if the host file had hard links
}

FileStat MemoryFile::stat() const {
  FileStat st = stat_;
  st.size = static_cast<int64_t>(data_.size());
  st.blocks = blocks_for(st.size);
  return st;
}

int64_t MemoryFile::read(uint64_t offset, std::span<uint8_t> out) {
  // An empty buffer may have no storage at all (read(fd, NULL, 0)): memcpy needs a pointer.
  if (offset >= data_.size() || out.empty()) return 0;
  const size_t n = std::min<uint64_t>(out.size(), data_.size() - offset);
  std::memcpy(out.data(), data_.data() + offset, n);
  return static_cast<int64_t>(n);
}

int64_t MemoryFile::write(uint64_t offset, std::span<const uint8_t> data) {
  if (data.empty()) return 0;
  if (offset >= kMaxMemoryFileSize || data.size() > kMaxMemoryFileSize - offset) return -EFBIG;
  const uint64_t end = offset + data.size();
  if (end > data_.size()) data_.resize(end);  // a gap past the old end reads as zeros
  std::memcpy(data_.data() + offset, data.data(), data.size());
  touch();
  return static_cast<int64_t>(data.size());
}

int MemoryFile::truncate(uint64_t size) {
  if (size > kMaxMemoryFileSize) return -EFBIG;
  data_.resize(size);
  touch();
  return 0;
}

int MemoryFile::change_attributes(const AttributeChange& change) {
  apply_attributes(stat_, change, state_->now());
  return 0;
}

void MemoryFile::change_links(int delta) {
  change_link_count(stat_, delta, state_->now());
}

void MemoryFile::touch() {
  stat_.mtime = stat_.ctime = state_->now();
}

MemorySymlink::MemorySymlink(std::shared_ptr<OverlayState> state, std::string target,
                             std::string path)
    : Inode(S_IFLNK, kNoCacheId, std::move(path)),
      state_(state),
      stat_(new_overlay_stat(*state, kSymlinkMode)),
      target_(std::move(target)) {
  stat_.size = static_cast<int64_t>(target_.size());
}

int MemorySymlink::change_attributes(const AttributeChange& change) {
  AttributeChange without_mode = change;
  without_mode.mode.reset();  // a symlink's permission bits never change (always 0777)
  apply_attributes(stat_, without_mode, state_->now());
  return 0;
}

Result<std::string> MemorySymlink::readlink() const {
  return target_;
}

}  // namespace vmlab::os::vfs
