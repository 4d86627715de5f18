#include "os/vfs/path_walker.h"

#include "os/vfs/generated_inode.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <deque>
#include <vector>

#include "os/vfs/overlay_directory.h"

namespace vmlab::os::vfs {

namespace {

// One walk in progress: the directories from the root down to the current one, and the
// components still to process (a symlink's target is pushed in front of the rest).
class Walk {
 public:
  explicit Walk(const std::shared_ptr<OverlayDirectory>& root) : dirs_{root} {}

  // Queues `path` before the pending components; an absolute path restarts at the root.
  Result<void> enqueue(std::string_view path) {
    if (path.empty()) return Errno(ENOENT);
    if (path.size() >= PATH_MAX) return Errno(ENAMETOOLONG);
    std::vector<std::string> parts;
    for (size_t start = 0; start < path.size();) {
      const size_t end = std::min(path.find('/', start), path.size());
      if (end - start > NAME_MAX) return Errno(ENAMETOOLONG);
      if (end > start) parts.emplace_back(path.substr(start, end - start));
      start = end + 1;
    }
    // A trailing slash matters only on the path's last component, i.e. when nothing else is
    // queued behind it: the original path, or the target of a final symlink.
    if (pending_.empty() && path.back() == '/' && !parts.empty()) must_be_dir_ = true;
    if (path.front() == '/') {
      dirs_.resize(1);
      names_.clear();
    }
    pending_.insert(pending_.begin(), parts.begin(), parts.end());
    return {};
  }

  // Processes pending components until only `keep` remain.
  Result<void> run(size_t keep, Follow follow_last) {
    while (pending_.size() > keep) {
      std::string name = std::move(pending_.front());
      pending_.pop_front();
      if (name == ".") continue;
      if (name == "..") {
        if (dirs_.size() > 1) {  // at the root, ".." is the root itself
          dirs_.pop_back();
          names_.pop_back();
        }
        continue;
      }
      const bool last = pending_.empty();
      auto child = dirs_.back()->lookup(name);
      if (!child) return child.error();
      const std::shared_ptr<Inode>& inode = *child;
      const bool follow = !last || follow_last == Follow::kYes || must_be_dir_;
      if (inode->is_symlink() && follow && last) {
        // /proc/PID/fd/N names an open file, not a path: following it leads to that file.
        if (auto file = inode->magic_target()) {
          leaf_ = std::make_shared<OpenFileInode>(std::move(file), inode->path());
          leaf_name_ = std::move(name);
          continue;
        }
      }
      if (inode->is_symlink() && follow) {
        if (++follows_ > kMaxSymlinkFollows) return Errno(ELOOP);
        const auto target = inode->readlink();
        if (!target) return target.error();
        if (auto queued = enqueue(*target); !queued) return queued;
        continue;
      }
      if (auto dir = std::dynamic_pointer_cast<OverlayDirectory>(inode)) {
        dirs_.push_back(std::move(dir));
        names_.push_back(std::move(name));
        continue;
      }
      if (!last) return Errno(ENOTDIR);
      leaf_ = inode;
      leaf_name_ = std::move(name);
    }
    return {};
  }

  std::string path() const {
    std::string out;
    for (const auto& name : names_)
      out += "/" + name;
    return out.empty() ? "/" : out;
  }

  const std::shared_ptr<OverlayDirectory>& directory() const { return dirs_.back(); }
  const std::deque<std::string>& pending() const { return pending_; }
  const std::shared_ptr<Inode>& leaf() const { return leaf_; }
  const std::string& leaf_name() const { return leaf_name_; }
  bool must_be_dir() const { return must_be_dir_; }
  int follows() const { return follows_; }
  // Ready for the caller's path after walking to its cwd.
  void restart_budget(int follows) {
    follows_ = follows;
    must_be_dir_ = false;
  }

 private:
  std::vector<std::shared_ptr<OverlayDirectory>> dirs_;  // dirs_.front() is the root
  std::vector<std::string> names_;                       // names_[i] leads to dirs_[i + 1]
  std::deque<std::string> pending_;
  std::shared_ptr<Inode> leaf_;  // a final component that is not a directory
  std::string leaf_name_;
  int follows_ = 0;
  bool must_be_dir_ = false;
};

// Positions `walk` at `cwd` when `path` is relative. The cwd's own symlinks (normally none:
// it is a normalized path) do not count against the caller's budget.
Result<void> start(Walk& walk, std::string_view path, std::string_view cwd, const int* follows) {
  if (path.empty()) return Errno(ENOENT);
  if (path.front() != '/' && !cwd.empty()) {
    if (auto queued = walk.enqueue(cwd.front() == '/' ? cwd : "/"); !queued) return queued;
    if (auto walked = walk.run(0, Follow::kYes); !walked) return walked;
    if (walk.leaf()) return Errno(ENOTDIR);
  }
  walk.restart_budget(follows ? *follows : 0);
  return {};
}

// Walks `path` from `cwd` until `keep` components remain.
Result<void> walk_path(Walk& walk, std::string_view path, std::string_view cwd, const int* follows,
                       size_t keep, Follow follow_last) {
  if (auto started = start(walk, path, cwd, follows); !started) return started;
  if (auto queued = walk.enqueue(path); !queued) return queued;
  return walk.run(keep, follow_last);
}

}  // namespace

std::string ParentLookup::child_path() const {
  return name.empty() ? dir_path : join_path(dir_path, name);
}

Result<Lookup> PathWalker::resolve(std::string_view path, std::string_view cwd, Follow follow_last,
                                   int* follows) const {
  Walk walk(root_);
  const auto walked = walk_path(walk, path, cwd, follows, 0, follow_last);
  if (follows) *follows = walk.follows();
  if (!walked) return walked.error();
  if (!walk.leaf()) return Lookup{walk.directory(), walk.path()};
  if (walk.must_be_dir()) return Errno(ENOTDIR);
  return Lookup{walk.leaf(), join_path(walk.path(), walk.leaf_name())};
}

Result<ParentLookup> PathWalker::resolve_parent(std::string_view path, std::string_view cwd,
                                                int* follows) const {
  Walk walk(root_);
  const auto walked = walk_path(walk, path, cwd, follows, 1, Follow::kYes);
  if (follows) *follows = walk.follows();
  if (!walked) return walked.error();
  ParentLookup out;
  out.dir = walk.directory();
  out.dir_path = walk.path();
  if (!walk.pending().empty()) out.name = walk.pending().front();
  out.trailing_slash = walk.must_be_dir();
  return out;
}

}  // namespace vmlab::os::vfs
