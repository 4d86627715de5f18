// A directory as the guest sees it: the overlay's own entries, layered over an optional host
// directory ("lower layer") minus whiteouts. A directory the guest creates has no lower layer,
// so nothing from the host shows through it (it is opaque, as in Linux overlayfs).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "os/result.h"
#include "os/vfs/inode.h"
#include "os/vfs/overlay_state.h"

namespace vmlab::os::vfs {

class OverlayDirectory final : public Inode, public std::enable_shared_from_this<OverlayDirectory> {
 public:
  // A directory the guest created (or the kernel synthesized, like /dev).
  OverlayDirectory(std::shared_ptr<OverlayState> state, uint32_t mode, std::string path,
                   uint64_t dev = kOverlayDevice);
  // The overlay's view of host directory `host_path`. Holds the path, not a descriptor, so
  // walking many host directories does not use up host descriptors.
  OverlayDirectory(std::shared_ptr<OverlayState> state, std::string host_path, std::string path);

  // The entry `name` ("." and ".." are the resolver's business): the overlay's entry if any,
  // else the host's unless whited out. Host directories get a (remembered) OverlayDirectory;
  // other host files a fresh HostInode.
  Result<std::shared_ptr<Inode>> lookup(const std::string& name);
  // Makes `inode` the entry `name`, replacing any entry and clearing a whiteout.
  void insert(const std::string& name, std::shared_ptr<Inode> inode);
  // Drops the entry `name`; a whiteout keeps a host entry of that name hidden.
  void remove(const std::string& name);
  // No entries besides "." and ".." (rmdir's condition).
  bool empty() const { return list().size() <= kDotEntries; }
  // rmdir happened: lookups fail and listings are empty, as for a deleted Linux directory.
  void mark_removed() { removed_ = true; }
  bool removed() const { return removed_; }
  bool has_host_layer() const { return lower_.has_value(); }
  const std::map<std::string, std::shared_ptr<Inode>>& children() const { return children_; }
  // A synthesized directory whose entries change with the kernel's state (/proc/PID/fd):
  // lookups and listings also ask `generate` for entries, below the overlay's own.
  using Generator = std::function<std::map<std::string, std::shared_ptr<Inode>>()>;
  void set_generator(Generator generate) { generate_ = std::move(generate); }

  FileStat stat() const override;
  // "." and ".." first, then the merged entries sorted by name. Linux returns entries in
  // hash or creation order; we sort so that listings are deterministic across hosts.
  std::vector<DirEntry> list() const override;
  int change_attributes(const AttributeChange& change) override;

  static constexpr size_t kDotEntries = 2;

 private:
  bool host_has(const std::string& name) const;
  // The host directory's entries but "." and "..", in its readdir order, less whiteouts.
  std::vector<DirEntry> host_entries() const;
  void touch();

  std::shared_ptr<OverlayState> state_;
  FileStat stat_;  // used when there is no lower layer
  // chmod/chown/utimensat of a directory the host also has: these cover the host's values.
  std::optional<AttributeChange> changed_;
  Timespec changed_at_;
  std::optional<std::string> lower_;  // host path of the lower layer
  std::map<std::string, std::shared_ptr<Inode>> children_;
  std::set<std::string> whiteouts_;
  std::weak_ptr<OverlayDirectory> parent_;
  Generator generate_;
  bool removed_ = false;
};

// `base` + "/" + `name`, without doubling the slash of the root.
std::string join_path(const std::string& base, const std::string& name);

}  // namespace vmlab::os::vfs
