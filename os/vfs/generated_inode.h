// Inodes whose content the kernel computes when they are read: the files and symlinks of the
// guest's /proc. The VFS knows nothing of processes; the kernel hands it the generators.
#pragma once

#include <functional>
#include <span>
#include <string>

#include "os/vfs/inode.h"

namespace vmlab::os::vfs {

// A read-only text file. Like Linux's seq_file, a read at offset 0 takes a fresh snapshot
// and later offsets read the same snapshot, so a reader going through the file in pieces
// sees one consistent text. stat() reports size 0, as /proc files do.
class GeneratedFile final : public Inode {
 public:
  using Generator = std::function<std::string()>;
  GeneratedFile(FileStat stat, Generator generate, std::string path);

  FileStat stat() const override { return stat_; }
  int64_t read(uint64_t offset, std::span<uint8_t> out) override;
  int64_t write(uint64_t offset, std::span<const uint8_t> data) override;
  int truncate(uint64_t size) override;

 private:
  FileStat stat_;
  Generator generate_;
  std::string snapshot_;
};

// A read-only binary file whose bytes the kernel computes for each read, from the offset and
// length asked, with no snapshot: /proc/PID/pagemap has 8 bytes for every page of a 128 TiB
// address space, never held whole. stat() reports size 0.
class ComputedFile final : public Inode {
 public:
  // The bytes at `offset` into `out`: how many, or -errno.
  using Reader = std::function<int64_t(uint64_t offset, std::span<uint8_t> out)>;
  ComputedFile(FileStat stat, Reader read, std::string path);

  FileStat stat() const override { return stat_; }
  int64_t read(uint64_t offset, std::span<uint8_t> out) override { return read_(offset, out); }
  int64_t write(uint64_t offset, std::span<const uint8_t> data) override;
  int truncate(uint64_t size) override;

 private:
  FileStat stat_;
  Reader read_;
};

// A symlink whose target is computed at each lookup (/proc/self, /proc/PID/exe). An empty
// target means the link cannot be followed now: -ENOENT.
class GeneratedSymlink final : public Inode {
 public:
  // `opens`, when given, makes it a magic link (Inode::magic_target).
  GeneratedSymlink(FileStat stat, std::function<std::string()> target, std::string path,
                   std::function<std::shared_ptr<OpenFile>()> opens = nullptr);

  FileStat stat() const override { return stat_; }
  Result<std::string> readlink() const override;
  std::shared_ptr<OpenFile> magic_target() const override { return opens_ ? opens_() : nullptr; }

 private:
  FileStat stat_;
  std::function<std::string()> target_;
  std::function<std::shared_ptr<OpenFile>()> opens_;
};

// What a magic link leads to when it is followed (stat, open): the open file itself, with its
// own type and metadata (a pipe is S_IFIFO, as stat("/dev/fd/63") reports on Linux).
class OpenFileInode final : public Inode {
 public:
  OpenFileInode(std::shared_ptr<OpenFile> file, std::string path);

  FileStat stat() const override;
  // chmod("/proc/self/fd/N") changes the file the descriptor is open on (glibc's fchmodat
  // with AT_SYMLINK_NOFOLLOW does that through an O_PATH descriptor).
  int change_attributes(const AttributeChange& change) override;
  std::shared_ptr<OpenFile> magic_target() const override { return file_; }

 private:
  std::shared_ptr<OpenFile> file_;
};

}  // namespace vmlab::os::vfs
