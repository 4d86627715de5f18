#include "os/vfs/generated_inode.h"

#include "os/vfs/open_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vmlab::os::vfs {

GeneratedFile::GeneratedFile(FileStat stat, Generator generate, std::string path)
    : Inode(stat.mode, kNoCacheId, std::move(path)), stat_(stat), generate_(std::move(generate)) {}

int64_t GeneratedFile::read(uint64_t offset, std::span<uint8_t> out) {
  if (offset == 0) snapshot_ = generate_();
  if (offset >= snapshot_.size() || out.empty()) return 0;
  const size_t n = std::min<uint64_t>(out.size(), snapshot_.size() - offset);
  std::memcpy(out.data(), snapshot_.data() + offset, n);
  return static_cast<int64_t>(n);
}

// Linux refuses writes to read-only /proc files even for root (no write method: EIO or
// EACCES depending on the file); EACCES says it more plainly.
int64_t GeneratedFile::write(uint64_t, std::span<const uint8_t>) {
  return -EACCES;
}

int GeneratedFile::truncate(uint64_t) {
  return -EACCES;
}

ComputedFile::ComputedFile(FileStat stat, Reader read, std::string path)
    : Inode(stat.mode, kNoCacheId, std::move(path)), stat_(stat), read_(std::move(read)) {}

int64_t ComputedFile::write(uint64_t, std::span<const uint8_t>) {
  return -EACCES;  // as GeneratedFile::write
}

int ComputedFile::truncate(uint64_t) {
  return -EACCES;
}

GeneratedSymlink::GeneratedSymlink(FileStat stat, std::function<std::string()> target,
                                   std::string path,
                                   std::function<std::shared_ptr<OpenFile>()> opens)
    : Inode(stat.mode, kNoCacheId, std::move(path)),
      stat_(stat),
      target_(std::move(target)),
      opens_(std::move(opens)) {}

Result<std::string> GeneratedSymlink::readlink() const {
  std::string target = target_();
  if (target.empty()) return Errno(ENOENT);
  return target;
}

OpenFileInode::OpenFileInode(std::shared_ptr<OpenFile> file, std::string path)
    : Inode(file->stat().mode, kNoCacheId, std::move(path)), file_(std::move(file)) {}

FileStat OpenFileInode::stat() const {
  return file_->stat();
}

int OpenFileInode::change_attributes(const AttributeChange& change) {
  const auto inode = file_->inode();
  return inode ? inode->change_attributes(change) : -EPERM;
}

}  // namespace vmlab::os::vfs
