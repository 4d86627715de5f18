// Inodes: the objects guest paths name (host files, overlay files and directories, devices).
// An inode owns content and metadata; offsets and access modes belong to OpenFile.
#pragma once

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "os/result.h"

namespace vmlab::os::vfs {

class OpenFile;

// A time as struct stat reports it: seconds and nanoseconds since the Unix epoch.
struct Timespec {
  int64_t sec = 0;
  int64_t nsec = 0;
  bool operator==(const Timespec&) const = default;
};

// What stat(2) reports; the kernel copies it into the guest's struct stat.
struct FileStat {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;  // S_IFMT type bits and permission bits
  uint64_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t rdev = 0;
  int64_t size = 0;
  int64_t blksize = 0;
  int64_t blocks = 0;  // in 512-byte units, as Linux counts them
  Timespec atime;
  Timespec mtime;
  Timespec ctime;
};

// What chmod, chown and utimensat change; the fields left empty stay as they are.
struct AttributeChange {
  std::optional<uint32_t> mode;  // permission bits (07777)
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<Timespec> atime;
  std::optional<Timespec> mtime;
};
// Applies `change` to `st`; any change also sets the ctime to `now`, as Linux does.
void apply_attributes(FileStat& st, const AttributeChange& change, Timespec now);
// A hard link to the inode `st` describes was made (+1) or removed (-1) at `now`.
void change_link_count(FileStat& st, int delta, Timespec now);

// One name in a directory listing.
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint8_t type = DT_UNKNOWN;  // DT_* from <dirent.h>
  bool operator==(const DirEntry&) const = default;
};

// cache_id() of inodes whose pages are never cached: directories, symlinks, devices.
inline constexpr uint64_t kNoCacheId = 0;

// The block size every synthesized inode reports, and the unit of st_blocks.
inline constexpr int64_t kBlockSize = 4096;
inline constexpr int64_t kStatBlockUnit = 512;

FileStat from_host_stat(const struct stat& st);
// DT_* for the S_IFMT bits of `mode`.
uint8_t dirent_type(uint32_t mode);
// st_blocks for `size` bytes stored in whole kBlockSize blocks.
int64_t blocks_for(int64_t size);

class Inode {
 public:
  virtual ~Inode() = default;
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;

  virtual FileStat stat() const = 0;
  // Bytes read (0 at or past the end) or -errno; directories answer -EISDIR.
  virtual int64_t read(uint64_t offset, std::span<uint8_t> out);
  // Bytes written or -errno. Host-backed inodes answer -EROFS: the caller copies up first.
  virtual int64_t write(uint64_t offset, std::span<const uint8_t> data);
  virtual int truncate(uint64_t size);
  // Directories: every entry including "." and "..", in getdents64 order. Others: empty.
  virtual std::vector<DirEntry> list() const;
  // Symlinks: the target; other inodes EINVAL (what readlink(2) answers).
  virtual Result<std::string> readlink() const;
  // True when the inode lives in the read-only host root, so writing needs a copy-up.
  virtual bool needs_copy_up() const { return false; }
  // chmod/chown/utimensat: 0 or -errno. Only the overlay's own inodes (files, symlinks,
  // directories) change; host files are copied up first (FileSystem::change_attributes), and
  // devices and generated files answer -EPERM.
  virtual int change_attributes(const AttributeChange&) { return -EPERM; }
  // A hard link to this inode was made (+1) or removed (-1): st_nlink follows.
  virtual void change_links(int /*delta*/) {}
  // /proc/PID/fd/N: a "magic" symlink. Opening it opens what the descriptor refers to (a
  // pipe, a terminal, a deleted file), whatever its name; null for every other inode.
  virtual std::shared_ptr<OpenFile> magic_target() const { return nullptr; }

  uint32_t type() const { return type_; }  // S_IFMT bits; an inode never changes type
  bool is_directory() const { return S_ISDIR(type_); }
  bool is_symlink() const { return S_ISLNK(type_); }
  bool is_regular() const { return S_ISREG(type_); }
  bool is_char_device() const { return S_ISCHR(type_); }
  // Page-cache key: small, unique within one FileSystem, the same for every inode opened on the
  // same host file, fresh for every overlay file. kNoCacheId for uncacheable inodes.
  uint64_t cache_id() const { return cache_id_; }
  // The guest path this inode was reached by (kept current when the overlay renames it).
  const std::string& path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }

 protected:
  Inode(uint32_t type, uint64_t cache_id, std::string path)
      : type_(type & S_IFMT), cache_id_(cache_id), path_(std::move(path)) {}

 private:
  uint32_t type_;
  uint64_t cache_id_;
  std::string path_;
};

}  // namespace vmlab::os::vfs
