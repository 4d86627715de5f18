// Open file descriptions: what a file descriptor refers to. They hold the offset and the
// status flags, and are shared by dup() and fork() exactly as Linux shares struct file.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "os/result.h"
#include "os/vfs/inode.h"
#include "os/vfs/poll_bits.h"

namespace vmlab::os::vfs {

// Returned by read/write when the operation cannot proceed now and the descriptor is in
// blocking mode: the kernel blocks the process and retries later. Never seen by the guest.
inline constexpr int64_t kWouldBlock = std::numeric_limits<int64_t>::min();

class OpenFile {
 public:
  virtual ~OpenFile() = default;
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;

  // Bytes transferred, -errno, or kWouldBlock.
  virtual int64_t read(std::span<uint8_t> out) = 0;
  virtual int64_t write(std::span<const uint8_t> data) = 0;
  // Positional I/O and seeking: -ESPIPE unless the file is seekable.
  virtual int64_t pread(std::span<uint8_t> out, int64_t offset);
  virtual int64_t pwrite(std::span<const uint8_t> data, int64_t offset);
  // The new offset or -errno; `whence` is SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA or SEEK_HOLE.
  virtual int64_t seek(int64_t offset, int whence);
  virtual FileStat stat() const = 0;
  // Fills `buffer` with linux_dirent64 records, continuing where the previous call stopped:
  // bytes written, 0 at the end, -EINVAL if one record does not fit, -ENOTDIR for non-dirs.
  virtual int64_t getdents64(std::span<uint8_t> buffer);
  virtual bool is_tty() const { return false; }
  // What poll(2) reports now (poll_bits): ready for everything unless the file says otherwise.
  virtual uint32_t poll() const { return poll_bits::kAlwaysReady; }
  // The inode behind a regular file or directory (for mmap); null for pipes, devices, streams.
  virtual std::shared_ptr<Inode> inode() const { return nullptr; }
  // The name Linux shows in /proc/self/fd: a path, or e.g. "pipe:[3]".
  virtual std::string describe() const = 0;

  // The access mode and status flags, as F_GETFL reports them.
  int flags() const { return flags_; }
  // F_SETFL: only O_APPEND and O_NONBLOCK change; the access mode never does.
  void set_flags(int flags);
  bool can_read() const;
  bool can_write() const;
  bool nonblocking() const;

 protected:
  // `flags` as given to open(2); creation flags and O_CLOEXEC are not kept (Linux drops them).
  explicit OpenFile(int flags);

 private:
  int flags_;
};

// An open that did not fail: the open file, or, when `wait`, nothing yet (a FIFO's other end
// is not open yet: the open is retried later).
struct Opened {
  std::shared_ptr<OpenFile> file;
  bool wait = false;
};
using OpenResult = Result<Opened>;

// A regular file or directory: the offset into the inode, O_APPEND, directory listing state.
class InodeFile final : public OpenFile {
 public:
  InodeFile(std::shared_ptr<Inode> inode, int flags);

  int64_t read(std::span<uint8_t> out) override;
  int64_t write(std::span<const uint8_t> data) override;
  int64_t pread(std::span<uint8_t> out, int64_t offset) override;
  int64_t pwrite(std::span<const uint8_t> data, int64_t offset) override;
  int64_t seek(int64_t offset, int whence) override;
  FileStat stat() const override { return inode_->stat(); }
  int64_t getdents64(std::span<uint8_t> buffer) override;
  std::shared_ptr<Inode> inode() const override { return inode_; }
  std::string describe() const override { return inode_->path(); }

 private:
  int64_t seek_directory(int64_t offset, int whence);

  std::shared_ptr<Inode> inode_;
  int64_t offset_ = 0;  // directories: the index of the next entry
  // A directory's entries as of the first getdents64 after opening or rewinding, so that a
  // listing continued across calls neither skips nor repeats names.
  std::vector<DirEntry> listing_;
  bool listing_valid_ = false;
};

// The open file description for `inode` (a regular file, directory or device) opened with
// `flags`. Truncation is the caller's job. Errors: ELOOP for a symlink, EISDIR, ENOTDIR with
// O_DIRECTORY, ENXIO for /dev/tty and host special files.
OpenResult open_inode(std::shared_ptr<Inode> inode, int flags);

// The guest's view of host descriptor `host_fd` (a HostStream, see special_files.h), named
// /dev/stdin, /dev/stdout or /dev/stderr: Linux would show the terminal or pipe, and those
// names are not deterministic.
std::shared_ptr<OpenFile> make_host_stream(int host_fd);

}  // namespace vmlab::os::vfs
