// Where the overlay's synthetic numbers and times come from. Shared (not owned) by the
// FileSystem and the inodes it hands out, so an inode that outlives its FileSystem (held by the
// page cache, say) can still stamp a modification time.
#pragma once

#include <sys/sysmacros.h>

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "os/vfs/inode.h"

namespace vmlab::os::vfs {

// Device numbers of the synthesized file systems. Major 0 is Linux's range for anonymous
// (memory) file systems such as tmpfs and pipefs; the minors only need to differ.
inline const uint64_t kOverlayDevice = makedev(0, 40);
inline const uint64_t kDevfsDevice = makedev(0, 5);
inline const uint64_t kPipefsDevice = makedev(0, 13);
inline const uint64_t kProcfsDevice = makedev(0, 22);
inline const uint64_t kSysfsDevice = makedev(0, 21);

// Synthetic inode numbers start here; they live on their own devices, so host inode numbers
// cannot collide with them.
inline constexpr uint64_t kFirstSyntheticIno = 2;

// The time overlay files carry when no clock was set: the Unix epoch, fixed for determinism.
inline constexpr Timespec kDefaultOverlayTime{};

class OverlayState {
 public:
  uint64_t new_ino() { return next_ino_++; }
  uint64_t new_cache_id() { return next_cache_id_++; }
  // The same id every time the same host file (device, inode) is opened.
  uint64_t host_cache_id(uint64_t dev, uint64_t ino) {
    const auto [it, inserted] = host_cache_ids_.try_emplace({dev, ino}, next_cache_id_);
    if (inserted) ++next_cache_id_;
    return it->second;
  }
  Timespec now() const { return clock_ ? clock_() : kDefaultOverlayTime; }
  void set_clock(std::function<Timespec()> clock) { clock_ = std::move(clock); }

 private:
  uint64_t next_ino_ = kFirstSyntheticIno;
  uint64_t next_cache_id_ = kNoCacheId + 1;
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> host_cache_ids_;
  std::function<Timespec()> clock_;
};

}  // namespace vmlab::os::vfs
