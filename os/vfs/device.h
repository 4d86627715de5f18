// The character devices the guest finds in its synthesized /dev. Random devices are
// deterministic: a seeded SplitMix64 stream, so the same seed gives the same bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "mmu/random.h"
#include "os/vfs/inode.h"
#include "os/vfs/overlay_state.h"

namespace vmlab::os::vfs {

class OverlayDirectory;

enum class DeviceKind { kNull, kZero, kRandom, kUrandom, kTty };

class DeviceInode final : public Inode {
 public:
  // `random` is shared by /dev/random and /dev/urandom: one stream, like one entropy pool.
  DeviceInode(DeviceKind kind, FileStat stat, std::shared_ptr<mmu::SplitMix64> random,
              std::string path);

  DeviceKind kind() const { return kind_; }
  // /dev/tty: there is no controlling terminal, so opening it fails with ENXIO as on Linux.
  bool openable() const { return kind_ != DeviceKind::kTty; }

  FileStat stat() const override { return stat_; }
  // Offsets are ignored: these devices are streams.
  int64_t read(uint64_t offset, std::span<uint8_t> out) override;
  int64_t write(uint64_t offset, std::span<const uint8_t> data) override;
  int truncate(uint64_t) override { return 0; }  // O_TRUNC on /dev/null is harmless

 private:
  DeviceKind kind_;
  FileStat stat_;
  std::shared_ptr<mmu::SplitMix64> random_;
};

// A /dev directory holding null, zero, random, urandom and tty, placed at guest path `path`.
std::shared_ptr<OverlayDirectory> make_dev_directory(std::shared_ptr<OverlayState> state,
                                                     uint64_t random_seed, const std::string& path);

}  // namespace vmlab::os::vfs
