#include "os/vfs/inode.h"

#include <cerrno>

namespace vmlab::os::vfs {

FileStat from_host_stat(const struct stat& st) {
  FileStat out;
  out.dev = st.st_dev;
  out.ino = st.st_ino;
  out.mode = st.st_mode;
  out.nlink = st.st_nlink;
  out.uid = st.st_uid;
  out.gid = st.st_gid;
  out.rdev = st.st_rdev;
  out.size = st.st_size;
  out.blksize = st.st_blksize;
  out.blocks = st.st_blocks;
  out.atime = {st.st_atim.tv_sec, st.st_atim.tv_nsec};
  out.mtime = {st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
  out.ctime = {st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
  return out;
}

uint8_t dirent_type(uint32_t mode) {
  return static_cast<uint8_t>(IFTODT(mode));
}

int64_t blocks_for(int64_t size) {
  const int64_t whole_blocks = (size + kBlockSize - 1) / kBlockSize;
  return whole_blocks * (kBlockSize / kStatBlockUnit);
}

int64_t Inode::read(uint64_t, std::span<uint8_t>) {
  return is_directory() ? -EISDIR : -EINVAL;
}

int64_t Inode::write(uint64_t, std::span<const uint8_t>) {
  return is_directory() ? -EISDIR : -EINVAL;
}

int Inode::truncate(uint64_t) {
  return is_directory() ? -EISDIR : -EINVAL;
}

std::vector<DirEntry> Inode::list() const {
  return {};
}

Result<std::string> Inode::readlink() const {
  return Errno(EINVAL);
}

void apply_attributes(FileStat& st, const AttributeChange& change, Timespec now) {
  if (change.mode) st.mode = (st.mode & S_IFMT) | (*change.mode & 07777);
  if (change.uid) st.uid = *change.uid;
  if (change.gid) st.gid = *change.gid;
  if (change.atime) st.atime = *change.atime;
  if (change.mtime) st.mtime = *change.mtime;
  st.ctime = now;
}

void change_link_count(FileStat& st, int delta, Timespec now) {
  st.nlink = static_cast<uint64_t>(static_cast<int64_t>(st.nlink) + delta);
  st.ctime = now;
}

}  // namespace vmlab::os::vfs
