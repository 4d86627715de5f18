// The overlay's in-memory files and symlinks: everything the guest creates or modifies lives
// here, so the host root is never written.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "os/vfs/inode.h"
#include "os/vfs/overlay_state.h"

namespace vmlab::os::vfs {

// Files larger than this fail with EFBIG: the content is a host allocation.
inline constexpr uint64_t kMaxMemoryFileSize = uint64_t{1} << 30;

class MemoryFile final : public Inode {
 public:
  // A new empty file with the permission bits of `mode`, owned by root, stamped with the clock.
  MemoryFile(std::shared_ptr<OverlayState> state, uint32_t mode, std::string path);
  // A copy-up of a host file: the host's identity and times, the content now in memory.
  MemoryFile(std::shared_ptr<OverlayState> state, const FileStat& host, std::vector<uint8_t> data,
             std::string path);

  FileStat stat() const override;
  int64_t read(uint64_t offset, std::span<uint8_t> out) override;
  int64_t write(uint64_t offset, std::span<const uint8_t> data) override;
  int truncate(uint64_t size) override;
  int change_attributes(const AttributeChange& change) override;
  void change_links(int delta) override;

 private:
  void touch();  // a content change: new mtime and ctime

  std::shared_ptr<OverlayState> state_;
  FileStat stat_;  // size and blocks are derived from data_
  std::vector<uint8_t> data_;
};

class MemorySymlink final : public Inode {
 public:
  MemorySymlink(std::shared_ptr<OverlayState> state, std::string target, std::string path);

  FileStat stat() const override { return stat_; }
  Result<std::string> readlink() const override;
  int change_attributes(const AttributeChange& change) override;

 private:
  std::shared_ptr<OverlayState> state_;
  FileStat stat_;
  std::string target_;
};

// The metadata of a new overlay inode: synthetic number, root-owned, the clock's time.
FileStat new_overlay_stat(OverlayState& state, uint32_t mode, uint64_t dev = kOverlayDevice);

}  // namespace vmlab::os::vfs
