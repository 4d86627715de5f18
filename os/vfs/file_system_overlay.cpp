// FileSystem's changes to the name space: all of them land in the in-memory overlay.
#include <cerrno>

#include "os/vfs/file_system.h"
#include "os/vfs/memory_inode.h"
#include "os/vfs/overlay_directory.h"
#include "os/vfs/socket_namespace.h"

namespace vmlab::os::vfs {

namespace {

bool is_dot_or_empty(const std::string& name) {
  return name.empty() || name == "." || name == "..";
}

// A moved inode (and, for a directory, everything below it) answers to its new path.
void relocate(Inode& inode, const std::string& path) {
  inode.set_path(path);
  if (const auto* dir = dynamic_cast<const OverlayDirectory*>(&inode))
    for (const auto& [name, child] : dir->children())
      relocate(*child, join_path(path, name));
}

// What a name-space operation, which answers as its system call does, returns for `error`.
int failure(Errno error) {
  return static_cast<int>(error.syscall_return());
}

bool same_file(const Inode& a, const Inode& b) {
  const FileStat sa = a.stat();
  const FileStat sb = b.stat();
  return &a == &b || (sa.dev == sb.dev && sa.ino == sb.ino);
}

}  // namespace

Result<Lookup> FileSystem::create(std::string_view path, std::string_view cwd, uint32_t mode,
                                  Exclusive exclusive) {
  int follows = 0;
  std::string target(path);
  std::string base(cwd);
  for (;;) {
    const auto parent = walker_.resolve_parent(target, base, &follows);
    if (!parent) return parent.error();
    if (is_dot_or_empty(parent->name)) return Errno(EISDIR);
    const auto child = parent->dir->lookup(parent->name);
    if (!child && child.error() == Errno(ENOENT)) {
      if (parent->trailing_slash) return Errno(EISDIR);  // as Linux: "new/" with O_CREAT
      if (parent->dir->removed()) return Errno(ENOENT);
      auto file = std::make_shared<MemoryFile>(state_, mode, parent->child_path());
      parent->dir->insert(parent->name, file);
      return Lookup{std::move(file), parent->child_path()};
    }
    if (!child) return child.error();
    const std::shared_ptr<Inode>& inode = *child;
    if (exclusive == Exclusive::kYes) return Errno(EEXIST);
    if (inode->is_symlink()) {  // create the file the (possibly dangling) link names
      if (++follows > kMaxSymlinkFollows) return Errno(ELOOP);
      auto link = inode->readlink();
      if (!link) return link.error();
      target = std::move(*link);
      base = parent->dir_path;
      continue;
    }
    if (inode->is_directory()) return Errno(EISDIR);
    if (parent->trailing_slash) return Errno(ENOTDIR);
    if (inode->needs_copy_up() && inode->is_regular())
      return copy_up(*parent->dir, parent->name, *inode, parent->child_path());
    return Lookup{inode, parent->child_path()};
  }
}

Result<ParentLookup> FileSystem::new_name(std::string_view path, std::string_view cwd,
                                          Errno taken) {
  auto parent = walker_.resolve_parent(path, cwd);
  if (!parent) return parent;
  if (is_dot_or_empty(parent->name)) return taken;
  const auto child = parent->dir->lookup(parent->name);
  if (child) return taken;
  if (child.error() != Errno(ENOENT)) return child.error();
  if (parent->dir->removed()) return Errno(ENOENT);
  return parent;
}

int FileSystem::add_name(std::string_view path, std::string_view cwd,
                         const std::function<std::shared_ptr<Inode>(const std::string&)>& make) {
  const auto parent = new_name(path, cwd, Errno(EEXIST));
  if (!parent) return failure(parent.error());
  parent->dir->insert(parent->name, make(parent->child_path()));
  return 0;
}

int FileSystem::mkdir(std::string_view path, std::string_view cwd, uint32_t mode) {
  return add_name(path, cwd, [&](const std::string& at) {
    return std::make_shared<OverlayDirectory>(state_, mode, at);
  });
}

int FileSystem::mknod(std::string_view path, std::string_view cwd, uint32_t mode) {
  if (S_ISFIFO(mode))
    return add_name(path, cwd, [&](const std::string& at) {
      return std::make_shared<FifoInode>(state_, mode, at);
    });
  if ((mode & S_IFMT) != S_IFREG && (mode & S_IFMT) != 0) return -EINVAL;
  return add_name(path, cwd, [&](const std::string& at) {
    return std::make_shared<MemoryFile>(state_, mode & 07777, at);
  });
}

int FileSystem::rmdir(std::string_view path, std::string_view cwd) {
  const auto parent = walker_.resolve_parent(path, cwd);
  if (!parent) return failure(parent.error());
  // Linux's answers for the root, "." and "..".
  if (parent->name.empty()) return -EBUSY;
  if (parent->name == ".") return -EINVAL;
  if (parent->name == "..") return -ENOTEMPTY;
  const auto child = parent->dir->lookup(parent->name);
  if (!child) return failure(child.error());
  const auto dir = std::dynamic_pointer_cast<OverlayDirectory>(*child);
  if (!dir) return -ENOTDIR;
  if (!dir->empty()) return -ENOTEMPTY;
  dir->mark_removed();
  parent->dir->remove(parent->name);
  return 0;
}

int FileSystem::unlink(std::string_view path, std::string_view cwd) {
  const auto parent = walker_.resolve_parent(path, cwd);
  if (!parent) return failure(parent.error());
  if (is_dot_or_empty(parent->name)) return -EISDIR;
  const auto child = parent->dir->lookup(parent->name);
  if (!child) return failure(child.error());
  if ((*child)->is_directory()) return -EISDIR;
  if (parent->trailing_slash) return -ENOTDIR;
  (*child)->change_links(-1);
  parent->dir->remove(parent->name);
  return 0;
}

int FileSystem::link(std::string_view from, std::string_view from_cwd, Follow follow,
                     std::string_view to, std::string_view to_cwd) {
  // A host file is copied up first: both names then refer to the one overlay copy.
  const auto source = resolve_for_write(from, from_cwd, follow);
  if (!source) return failure(source.error());
  if (source->inode->is_directory()) return -EPERM;
  if (source->inode->needs_copy_up()) return -EXDEV;  // a host special file or symlink
  const auto parent = new_name(to, to_cwd, Errno(EEXIST));
  if (!parent) return failure(parent.error());
  if (parent->trailing_slash) return -ENOENT;
  parent->dir->insert(parent->name, source->inode);
  source->inode->change_links(1);
  return 0;
}

int FileSystem::rename(std::string_view from, std::string_view from_cwd, std::string_view to,
                       std::string_view to_cwd) {
  const auto src = walker_.resolve_parent(from, from_cwd);
  if (!src) return failure(src.error());
  const auto dst = walker_.resolve_parent(to, to_cwd);
  if (!dst) return failure(dst.error());
  if (is_dot_or_empty(src->name) || is_dot_or_empty(dst->name)) return -EBUSY;
  const auto found = src->dir->lookup(src->name);
  if (!found) return failure(found.error());
  const std::shared_ptr<Inode>& moving = *found;
  const auto existing = dst->dir->lookup(dst->name);
  if (!existing && existing.error() != Errno(ENOENT)) return failure(existing.error());
  const std::shared_ptr<Inode> replaced = existing ? *existing : nullptr;
  const bool is_dir = moving->is_directory();
  if ((src->trailing_slash || dst->trailing_slash) && !is_dir) return -ENOTDIR;
  if (replaced && same_file(*moving, *replaced)) return 0;
  if (is_dir) {
    if (std::static_pointer_cast<OverlayDirectory>(moving)->has_host_layer()) return -EXDEV;
    if (dst->child_path().starts_with(join_path(src->child_path(), ""))) return -EINVAL;
  }
  if (dst->dir->removed()) return -ENOENT;
  if (const auto& old = replaced) {
    if (is_dir && !old->is_directory()) return -ENOTDIR;
    if (!is_dir && old->is_directory()) return -EISDIR;
    const auto old_dir = std::dynamic_pointer_cast<OverlayDirectory>(old);
    if (old_dir && !old_dir->empty()) return -ENOTEMPTY;
    if (old_dir) old_dir->mark_removed();
    old->change_links(-1);
  }
  src->dir->remove(src->name);
  dst->dir->insert(dst->name, moving);
  relocate(*moving, dst->child_path());
  return 0;
}

int FileSystem::symlink(std::string_view target, std::string_view link_path, std::string_view cwd) {
  if (target.empty()) return -ENOENT;
  return add_name(link_path, cwd, [&](const std::string& at) {
    return std::make_shared<MemorySymlink>(state_, std::string(target), at);
  });
}

Result<Lookup> FileSystem::make_socket_node(std::string_view path, std::string_view cwd,
                                            uint32_t mode) {
  const auto parent = new_name(path, cwd, Errno(EADDRINUSE));
  if (!parent) return parent.error();
  auto node = std::make_shared<SocketNode>(*state_, mode, parent->child_path());
  parent->dir->insert(parent->name, node);
  return Lookup{node, parent->child_path()};
}

}  // namespace vmlab::os::vfs
