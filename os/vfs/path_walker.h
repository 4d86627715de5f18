// Guest path resolution inside the overlay tree, one component at a time. ".." never climbs
// above the root, symlink targets are resolved by us (absolute ones from the guest root), so no
// host symlink can lead outside the host root directory.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "os/result.h"
#include "os/vfs/inode.h"

namespace vmlab::os::vfs {

class OverlayDirectory;

enum class Follow { kYes, kNo };

// Linux's MAXSYMLINKS: symlinks followed during one lookup before ELOOP.
inline constexpr int kMaxSymlinkFollows = 40;

// A resolved path: the inode and its normalized guest path (absolute, no "." or "..", no
// symlinks except possibly the last component).
struct Lookup {
  std::shared_ptr<Inode> inode;
  std::string path;
};

// The directory that holds (or would hold) the last component of a path: what create, mkdir,
// unlink and rename work on. The last component is not looked up.
struct ParentLookup {
  std::shared_ptr<OverlayDirectory> dir;
  std::string dir_path;
  std::string name;             // the last component as written: may be "." or ".."; "" for "/"
  bool trailing_slash = false;  // "a/": the name must be a directory
  std::string child_path() const;
};

class PathWalker {
 public:
  explicit PathWalker(std::shared_ptr<OverlayDirectory> root) : root_(std::move(root)) {}

  // Relative paths start at `cwd` (an absolute guest path). `follows`, when given, is the
  // number of symlinks already followed by the caller's operation and is updated.
  Result<Lookup> resolve(std::string_view path, std::string_view cwd, Follow follow_last,
                         int* follows = nullptr) const;
  Result<ParentLookup> resolve_parent(std::string_view path, std::string_view cwd,
                                      int* follows = nullptr) const;

 private:
  std::shared_ptr<OverlayDirectory> root_;
};

}  // namespace vmlab::os::vfs
