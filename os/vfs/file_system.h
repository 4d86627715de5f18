// The guest's file system: a host directory seen read-only through an in-memory overlay that
// takes every change, plus a synthesized /dev. Guest paths never leave the host root.
//
// Lookups and opens fail with an Errno (os/result.h); the name-space operations (mkdir, unlink,
// rename, ...) return what their system call does, 0 or -errno.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "os/vfs/fifo.h"
#include "os/vfs/file_locks.h"
#include "os/vfs/inode.h"
#include "os/vfs/open_file.h"
#include "os/vfs/path_walker.h"
#include "os/vfs/pipe.h"
#include "os/vfs/record_locks.h"
#include "os/vfs/socket_namespace.h"

namespace vmlab::os::vfs {

class OverlayDirectory;
class OverlayState;

enum class Exclusive { kNo, kYes };

class FileSystem {
 public:
  static constexpr uint64_t kDefaultRandomSeed = 1;

  // `host_root` is the host directory the guest sees as "/" (never written); throws
  // std::invalid_argument if it is not a directory. `random_seed` drives /dev/urandom.
  explicit FileSystem(const std::string& host_root = "/",
                      uint64_t random_seed = kDefaultRandomSeed);
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  // Where overlay files get their times (creation, modification); the epoch until set.
  void set_clock(std::function<Timespec()> clock);
  const std::string& host_root() const { return host_root_; }
  // The guest's /proc: synthesized and empty (the host's stays hidden behind it); the kernel
  // fills it (os/procfs.h). `state()` stamps the inodes put there.
  const std::shared_ptr<OverlayDirectory>& proc() const { return proc_; }
  // The guest's /sys, likewise synthesized and empty until the kernel fills it (os/sysfs.h).
  const std::shared_ptr<OverlayDirectory>& sys() const { return sys_; }
  const std::shared_ptr<OverlayState>& state() const { return state_; }

  // Relative paths start at `cwd`, an absolute guest path (the process's cwd, or the path of
  // the directory a dirfd refers to).
  Result<Lookup> resolve(std::string_view path, std::string_view cwd, Follow follow_last);
  // The target; EINVAL if the path is not a symlink.
  Result<std::string> readlink(std::string_view path, std::string_view cwd);
  // resolve(), then a host regular file is copied into the overlay so it can be modified.
  Result<Lookup> resolve_for_write(std::string_view path, std::string_view cwd, Follow follow_last);
  // open(2) for regular files, directories, devices and FIFOs: O_CREAT, O_EXCL, O_TRUNC,
  // O_DIRECTORY, O_NOFOLLOW, O_APPEND, O_NONBLOCK. `mode` is used as given (the caller
  // applies the umask). Writing a host file copies it up first. Opening a FIFO may have to
  // wait for its other end (Opened::wait): `opener` says who retries (os/vfs/fifo.h).
  OpenResult open(std::string_view path, std::string_view cwd, int flags, uint32_t mode,
                  const FifoOpener* opener = nullptr);

  // The overlay. A final symlink is followed by create (unless exclusive), never by the others.
  // create: the regular file at `path`, made empty if missing (EEXIST if exclusive and present),
  // copied up if it is a host file; EISDIR for directories.
  Result<Lookup> create(std::string_view path, std::string_view cwd, uint32_t mode,
                        Exclusive exclusive);
  int mkdir(std::string_view path, std::string_view cwd, uint32_t mode);
  // mknod(2) of a FIFO (S_IFIFO) or an empty regular file (S_IFREG); the caller refuses
  // device nodes. EEXIST when the name exists.
  int mknod(std::string_view path, std::string_view cwd, uint32_t mode);
  int rmdir(std::string_view path, std::string_view cwd);
  int unlink(std::string_view path, std::string_view cwd);
  // rename(2) semantics, replacing the target. Directories that exist on the host cannot move:
  // EXDEV (as Linux overlayfs without redirect_dir), and mv falls back to copying.
  int rename(std::string_view from, std::string_view from_cwd, std::string_view to,
             std::string_view to_cwd);
  int symlink(std::string_view target, std::string_view link_path, std::string_view cwd);
  // link(2): a second name for the file at `from` (copied up first if it is the host's).
  int link(std::string_view from, std::string_view from_cwd, Follow follow, std::string_view to,
           std::string_view to_cwd);

  // chmod/chown/utimensat on `path`: a host file is copied up first.
  int change_attributes(std::string_view path, std::string_view cwd, Follow follow,
                        const AttributeChange& change);
  // Opening a magic link (/proc/PID/fd/N) to `file`, as open(2) with `flags` does.
  OpenResult reopen(std::shared_ptr<OpenFile> file, int flags);
  // flock(2) locks on the files of this file system.
  FileLocks& locks() { return locks_; }
  // fcntl(2) record locks (POSIX and OFD) on the files of this file system.
  RecordLocks& record_locks() { return record_locks_; }
  // A pipe with a fresh inode number (pipe2 flags: O_NONBLOCK).
  PipeEnds make_pipe(int flags = 0);
  // bind(2) of a Unix socket to `path`: its S_IFSOCK file (EADDRINUSE if the name exists).
  Result<Lookup> make_socket_node(std::string_view path, std::string_view cwd, uint32_t mode);
  // The names of the machine's sockets (Unix paths and abstract names, loopback ports).
  SocketNamespace& sockets() { return sockets_; }

 private:
  // The directory to hold the new name `path`, whose last component must name nothing yet
  // (`taken` if it does: EEXIST, EADDRINUSE for a socket); ENOENT in a removed directory.
  Result<ParentLookup> new_name(std::string_view path, std::string_view cwd, Errno taken);
  // Puts the inode `make(path)` returns at the new name `path`: 0, or -EEXIST, -ENOENT, ...
  int add_name(std::string_view path, std::string_view cwd,
               const std::function<std::shared_ptr<Inode>(const std::string&)>& make);
  // Replaces host file `inode`, the entry `name` of `dir`, by an in-memory copy.
  Result<Lookup> copy_up(OverlayDirectory& dir, const std::string& name, Inode& inode,
                         const std::string& path);

  std::string host_root_;
  std::shared_ptr<OverlayState> state_;
  std::shared_ptr<OverlayDirectory> root_;
  std::shared_ptr<OverlayDirectory> proc_;
  std::shared_ptr<OverlayDirectory> sys_;
  FileLocks locks_;
  RecordLocks record_locks_;
  SocketNamespace sockets_;
  PathWalker walker_;
};

}  // namespace vmlab::os::vfs
