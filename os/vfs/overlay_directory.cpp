#include "os/vfs/overlay_directory.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "os/vfs/host_inode.h"
#include "os/vfs/memory_inode.h"

namespace vmlab::os::vfs {

namespace {

constexpr uint32_t kPermissionBits = 07777;
constexpr uint64_t kDirectoryLinks = 2;  // its name in the parent and its own "."

// Closes a host directory stream on every path out of a listing.
struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

std::string join_path(const std::string& base, const std::string& name) {
  return base.ends_with('/') ? base + name : base + "/" + name;
}

OverlayDirectory::OverlayDirectory(std::shared_ptr<OverlayState> state, uint32_t mode,
                                   std::string path, uint64_t dev)
    : Inode(S_IFDIR, kNoCacheId, std::move(path)),
      state_(std::move(state)),
      stat_(new_overlay_stat(*state_, S_IFDIR | (mode & kPermissionBits), dev)) {
  stat_.size = kBlockSize;
  stat_.blocks = blocks_for(kBlockSize);
}

OverlayDirectory::OverlayDirectory(std::shared_ptr<OverlayState> state, std::string host_path,
                                   std::string path)
    : OverlayDirectory(std::move(state), 0, std::move(path)) {
  lower_ = std::move(host_path);
}

Result<std::shared_ptr<Inode>> OverlayDirectory::lookup(const std::string& name) {
  if (removed_) return Errno(ENOENT);
  if (const auto it = children_.find(name); it != children_.end()) return it->second;
  if (generate_ && !whiteouts_.contains(name)) {
    auto generated = generate_();
    if (const auto it = generated.find(name); it != generated.end()) return it->second;
  }
  if (!lower_ || whiteouts_.contains(name)) return Errno(ENOENT);
  const std::string host_path = join_path(*lower_, name);
  struct stat st {};
  if (::lstat(host_path.c_str(), &st) != 0) return Errno(errno);
  const std::string guest_path = join_path(path(), name);
  if (S_ISDIR(st.st_mode)) {
    auto dir = std::make_shared<OverlayDirectory>(state_, host_path, guest_path);
    dir->parent_ = weak_from_this();
    children_.emplace(name, dir);  // remembered, so later changes inside it have a home
    return std::shared_ptr<Inode>(std::move(dir));
  }
  auto opened =
      HostInode::open(host_path, st, guest_path, state_->host_cache_id(st.st_dev, st.st_ino));
  if (!opened) return opened.error();
  return std::shared_ptr<Inode>(std::move(*opened));
}

void OverlayDirectory::insert(const std::string& name, std::shared_ptr<Inode> inode) {
  if (auto dir = std::dynamic_pointer_cast<OverlayDirectory>(inode))
    dir->parent_ = weak_from_this();
  children_[name] = std::move(inode);
  whiteouts_.erase(name);
  touch();
}

void OverlayDirectory::remove(const std::string& name) {
  children_.erase(name);
  if (host_has(name)) whiteouts_.insert(name);
  touch();
}

bool OverlayDirectory::host_has(const std::string& name) const {
  struct stat st {};
  return lower_ && ::lstat(join_path(*lower_, name).c_str(), &st) == 0;
}

void OverlayDirectory::touch() {
  stat_.mtime = stat_.ctime = state_->now();
}

FileStat OverlayDirectory::stat() const {
  struct stat st {};
  if (lower_ && ::lstat(lower_->c_str(), &st) == 0) {
    FileStat host = from_host_stat(st);
    if (changed_) apply_attributes(host, *changed_, changed_at_);
    return host;
  }
  FileStat out = stat_;
  out.nlink = kDirectoryLinks;
  for (const auto& [name, child] : children_)
    out.nlink += child->is_directory() ? 1 : 0;
  return out;
}

int OverlayDirectory::change_attributes(const AttributeChange& change) {
  changed_at_ = state_->now();
  if (!lower_) {
    apply_attributes(stat_, change, changed_at_);
    return 0;
  }
  if (!changed_) changed_ = AttributeChange{};
  if (change.mode) changed_->mode = change.mode;
  if (change.uid) changed_->uid = change.uid;
  if (change.gid) changed_->gid = change.gid;
  if (change.atime) changed_->atime = change.atime;
  if (change.mtime) changed_->mtime = change.mtime;
  return 0;
}

std::vector<DirEntry> OverlayDirectory::list() const {
  if (removed_) return {};
  const uint64_t own_ino = stat().ino;
  const auto parent = parent_.lock();
  std::vector<DirEntry> out{{".", own_ino, DT_DIR},
                            {"..", parent ? parent->stat().ino : own_ino, DT_DIR}};
  // The host's entries in the host's readdir order (what a native run lists), each replaced
  // by its overlay version if there is one; then the overlay's own entries by name.
  std::map<std::string, DirEntry> own;
  if (generate_)
    for (const auto& [name, child] : generate_())
      if (!whiteouts_.contains(name))
        own[name] = DirEntry{name, child->stat().ino, dirent_type(child->type())};
  for (const auto& [name, child] : children_)
    own[name] = DirEntry{name, child->stat().ino, dirent_type(child->type())};
  for (DirEntry& entry : host_entries()) {
    if (auto it = own.find(entry.name); it != own.end()) {
      out.push_back(std::move(it->second));
      own.erase(it);
    } else {
      out.push_back(std::move(entry));
    }
  }
  for (auto& [name, entry] : own)
    out.push_back(std::move(entry));
  return out;
}

std::vector<DirEntry> OverlayDirectory::host_entries() const {
  std::vector<DirEntry> out;
  if (!lower_) return out;
  const int fd = ::open(lower_->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return out;
  const std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd));
  if (!dir) {
    ::close(fd);
    return out;
  }
  while (const dirent* d = ::readdir(dir.get())) {
    const std::string name = d->d_name;
    if (name == "." || name == ".." || whiteouts_.contains(name)) continue;
    uint8_t type = d->d_type;
    if (type == DT_UNKNOWN) {  // some host file systems leave the type to lstat
      struct stat st {};
      if (::fstatat(::dirfd(dir.get()), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        type = dirent_type(st.st_mode);
    }
    out.push_back(DirEntry{name, d->d_ino, type});
  }
  return out;
}

}  // namespace vmlab::os::vfs
