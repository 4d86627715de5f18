// A read-only view of one non-directory file in the host root, through a host descriptor.
// (Host directories are represented by OverlayDirectory, which merges them with the overlay.)
#pragma once

#include <sys/stat.h>

#include <memory>
#include <string>

#include "os/vfs/inode.h"

namespace vmlab::os::vfs {

class HostInode final : public Inode {
 public:
  // Opens `host_path`, whose lstat is `st`, without following a final symlink. Regular files
  // get a readable descriptor; symlinks, special files and unreadable files an O_PATH one
  // (enough for fstat and readlinkat).
  static Result<std::shared_ptr<HostInode>> open(const std::string& host_path,
                                                 const struct stat& st, std::string guest_path,
                                                 uint64_t cache_id);
  ~HostInode() override;

  FileStat stat() const override;
  int64_t read(uint64_t offset, std::span<uint8_t> out) override;
  int64_t write(uint64_t offset, std::span<const uint8_t> data) override;
  int truncate(uint64_t size) override;
  Result<std::string> readlink() const override;
  bool needs_copy_up() const override { return true; }

  HostInode(int fd, uint32_t type, bool readable, uint64_t cache_id, std::string guest_path);

 private:
  int fd_;
  bool readable_;  // false for O_PATH descriptors
};

}  // namespace vmlab::os::vfs
