// Open files that are not offsets into an inode: character devices, and the host's standard
// streams that the guest's first process inherits.
#pragma once

#include <memory>
#include <string>

#include "os/vfs/device.h"
#include "os/vfs/open_file.h"

namespace vmlab::os::vfs {

// /dev/null, /dev/zero, /dev/random, /dev/urandom: streams where the offset means nothing.
class DeviceFile final : public OpenFile {
 public:
  DeviceFile(std::shared_ptr<DeviceInode> device, int flags);

  int64_t read(std::span<uint8_t> out) override;
  int64_t write(std::span<const uint8_t> data) override;
  int64_t pread(std::span<uint8_t> out, int64_t offset) override;
  int64_t pwrite(std::span<const uint8_t> data, int64_t offset) override;
  int64_t seek(int64_t offset, int whence) override;
  FileStat stat() const override { return device_->stat(); }
  std::string describe() const override { return device_->path(); }

 private:
  std::shared_ptr<DeviceInode> device_;
};

// A pass-through to a host descriptor (0, 1 or 2), which is not owned and never closed.
// Reads may block the whole emulator; that is the point of an interactive stdin.
class HostStream final : public OpenFile {
 public:
  HostStream(int host_fd, std::string name);

  int64_t read(std::span<uint8_t> out) override;
  int64_t write(std::span<const uint8_t> data) override;
  int64_t pread(std::span<uint8_t> out, int64_t offset) override;
  int64_t pwrite(std::span<const uint8_t> data, int64_t offset) override;
  int64_t seek(int64_t offset, int whence) override;
  FileStat stat() const override;
  bool is_tty() const override;
  // Never waits, as a read never waits for the guest's scheduler: a regular file or device is
  // ready for everything (Linux's default), a terminal, pipe or socket ready for what its
  // access mode allows; a read may then block the whole emulator until the host has data.
  uint32_t poll() const override;
  std::string describe() const override { return name_; }
  int host_fd() const { return host_fd_; }

 private:
  int host_fd_;
  std::string name_;
};

}  // namespace vmlab::os::vfs
