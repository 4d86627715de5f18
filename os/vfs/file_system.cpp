#include "os/vfs/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "os/vfs/device.h"
#include "os/vfs/memory_inode.h"
#include "os/vfs/overlay_directory.h"

namespace vmlab::os::vfs {

namespace {

// Copy-up reads the host file in chunks of this size.
constexpr size_t kCopyChunk = 64 * 1024;
constexpr uint32_t kProcDirectoryMode = 0555;
constexpr uint32_t kSysDirectoryMode = 0555;

std::string canonical_root(const std::string& host_root) {
  char resolved[PATH_MAX];
  struct stat st {};
  if (::realpath(host_root.c_str(), resolved) == nullptr || ::stat(resolved, &st) != 0 ||
      !S_ISDIR(st.st_mode))
    throw std::invalid_argument("guest root '" + host_root + "' is not a host directory");
  return resolved;
}

std::shared_ptr<OverlayDirectory> make_root(const std::shared_ptr<OverlayState>& state,
                                            const std::string& host_root, uint64_t seed) {
  auto root = std::make_shared<OverlayDirectory>(state, host_root, "/");
  // The guest's /dev is synthesized; the host's stays hidden behind it.
  root->insert("dev", make_dev_directory(state, seed, "/dev"));
  return root;
}

// The host's /proc would show vmlab's own memory (/proc/self/mem), descriptors and the host's
// processes: the guest gets a /proc of its own instead.
std::shared_ptr<OverlayDirectory> make_proc(const std::shared_ptr<OverlayState>& state,
                                            OverlayDirectory& root) {
  auto proc = std::make_shared<OverlayDirectory>(state, kProcDirectoryMode, "/proc", kProcfsDevice);
  root.insert("proc", proc);
  return proc;
}

// The host's /sys describes the host (its CPUs, its nodes): the guest gets its own.
std::shared_ptr<OverlayDirectory> make_sys(const std::shared_ptr<OverlayState>& state,
                                           OverlayDirectory& root) {
  auto sys = std::make_shared<OverlayDirectory>(state, kSysDirectoryMode, "/sys", kSysfsDevice);
  root.insert("sys", sys);
  return sys;
}

}  // namespace

FileSystem::FileSystem(const std::string& host_root, uint64_t random_seed)
    : host_root_(canonical_root(host_root)),
      state_(std::make_shared<OverlayState>()),
      root_(make_root(state_, host_root_, random_seed)),
      proc_(make_proc(state_, *root_)),
      sys_(make_sys(state_, *root_)),
      walker_(root_) {}

void FileSystem::set_clock(std::function<Timespec()> clock) {
  state_->set_clock(std::move(clock));
}

Result<Lookup> FileSystem::resolve(std::string_view path, std::string_view cwd,
                                   Follow follow_last) {
  return walker_.resolve(path, cwd, follow_last);
}

Result<std::string> FileSystem::readlink(std::string_view path, std::string_view cwd) {
  const auto found = resolve(path, cwd, Follow::kNo);
  if (!found) return found.error();
  return found->inode->readlink();
}

Result<Lookup> FileSystem::resolve_for_write(std::string_view path, std::string_view cwd,
                                             Follow follow_last) {
  auto found = resolve(path, cwd, follow_last);
  if (!found || !found->inode->needs_copy_up() || !found->inode->is_regular()) return found;
  // found->path has no symlinks left, so its parent resolves to the directory holding it.
  const auto parent = walker_.resolve_parent(found->path, "/");
  if (!parent) return parent.error();
  return copy_up(*parent->dir, parent->name, *found->inode, found->path);
}

Result<Lookup> FileSystem::copy_up(OverlayDirectory& dir, const std::string& name, Inode& inode,
                                   const std::string& path) {
  std::vector<uint8_t> data;
  for (;;) {
    const size_t old_size = data.size();
    data.resize(old_size + kCopyChunk);
    const int64_t n = inode.read(old_size, std::span<uint8_t>(data).subspan(old_size));
    if (n < 0) return Errno::from_syscall_return(n);
    data.resize(old_size + static_cast<size_t>(n));
    if (n == 0) break;
  }
  auto copy = std::make_shared<MemoryFile>(state_, inode.stat(), std::move(data), path);
  dir.insert(name, copy);
  return Lookup{std::move(copy), path};
}

OpenResult FileSystem::open(std::string_view path, std::string_view cwd, int flags, uint32_t mode,
                            const FifoOpener* opener) {
  if ((flags & O_TMPFILE) == O_TMPFILE) return Errno(EOPNOTSUPP);
  if ((flags & O_ACCMODE) == O_ACCMODE) return Errno(EINVAL);
  const bool modifies = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
  const Follow follow = (flags & O_NOFOLLOW) ? Follow::kNo : Follow::kYes;
  const auto found = [&]() -> Result<Lookup> {
    if ((flags & O_CREAT) && (flags & O_EXCL)) return create(path, cwd, mode, Exclusive::kYes);
    // Existing files are looked up first so that a read-only O_CREAT copies nothing up.
    auto existing = modifies ? resolve_for_write(path, cwd, follow) : resolve(path, cwd, follow);
    if (!existing && existing.error() == Errno(ENOENT) && (flags & O_CREAT))
      return create(path, cwd, mode, Exclusive::kNo);
    return existing;
  }();
  if (!found) return found.error();
  const std::shared_ptr<Inode>& inode = found->inode;
  if (!inode->is_symlink()) {
    if (auto target = inode->magic_target()) return reopen(std::move(target), flags);
  }
  if ((flags & O_CREAT) && inode->is_directory()) return Errno(EISDIR);
  if (auto fifo = std::dynamic_pointer_cast<FifoInode>(inode)) {
    if (flags & O_DIRECTORY) return Errno(ENOTDIR);
    // O_PATH names the FIFO without opening either end: nothing to wait for.
    if (flags & O_PATH) return Opened{std::make_shared<InodeFile>(std::move(fifo), flags)};
    return fifo->open(flags, opener);
  }
  OpenResult opened = open_inode(inode, flags);
  if (opened && (flags & O_TRUNC) && inode->is_regular()) {
    if (const int error = inode->truncate(0); error != 0) return Errno::from_syscall_return(error);
  }
  return opened;
}

int FileSystem::change_attributes(std::string_view path, std::string_view cwd, Follow follow,
                                  const AttributeChange& change) {
  const auto found = resolve_for_write(path, cwd, follow);
  if (!found) return static_cast<int>(found.error().syscall_return());
  return found->inode->change_attributes(change);
}

OpenResult FileSystem::reopen(std::shared_ptr<OpenFile> file, int flags) {
  // A file with an inode opens afresh (its own offset); a pipe gives a new end of the same
  // pipe; a terminal or stream is the same open file again.
  if (auto fifo = std::dynamic_pointer_cast<FifoInode>(file->inode()))
    return fifo->open(flags, nullptr);
  if (auto inode = file->inode()) return open_inode(inode, flags);
  if (auto pipe = std::dynamic_pointer_cast<PipeEnd>(file)) {
    switch (flags & O_ACCMODE) {
      case O_RDONLY:
        return Opened{pipe->reopened(PipeEnd::Side::kRead, flags)};
      case O_WRONLY:
        return Opened{pipe->reopened(PipeEnd::Side::kWrite, flags)};
      default:
        break;
    }
  }
  return Opened{std::move(file)};
}

PipeEnds FileSystem::make_pipe(int flags) {
  return vfs::make_pipe(state_->new_ino(), flags, state_->now());
}

}  // namespace vmlab::os::vfs
