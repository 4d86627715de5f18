#include "os/vfs/device.h"

#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "os/vfs/generated_inode.h"
#include "os/vfs/memory_inode.h"
#include "os/vfs/overlay_directory.h"

namespace vmlab::os::vfs {

namespace {

// Linux device numbers (Documentation/admin-guide/devices.txt).
constexpr unsigned kMemMajor = 1;
constexpr unsigned kNullMinor = 3;
constexpr unsigned kZeroMinor = 5;
constexpr unsigned kRandomMinor = 8;
constexpr unsigned kUrandomMinor = 9;
constexpr unsigned kTtyMajor = 5;
constexpr unsigned kTtyMinor = 0;

constexpr uint32_t kDeviceMode = S_IFCHR | 0666;
constexpr uint32_t kDevDirectoryMode = 0755;
constexpr uint32_t kDescriptorLinkMode = S_IFLNK | 0777;

constexpr std::pair<const char*, const char*> kDescriptorLinks[] = {
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
    {"fd", "/proc/self/fd"},
};

struct DeviceSpec {
  const char* name;
  DeviceKind kind;
  unsigned major;
  unsigned minor;
};

constexpr DeviceSpec kDevices[] = {
    {"null", DeviceKind::kNull, kMemMajor, kNullMinor},
    {"zero", DeviceKind::kZero, kMemMajor, kZeroMinor},
    {"random", DeviceKind::kRandom, kMemMajor, kRandomMinor},
    {"urandom", DeviceKind::kUrandom, kMemMajor, kUrandomMinor},
    {"tty", DeviceKind::kTty, kTtyMajor, kTtyMinor},
};

}  // namespace

DeviceInode::DeviceInode(DeviceKind kind, FileStat stat, std::shared_ptr<mmu::SplitMix64> random,
                         std::string path)
    : Inode(S_IFCHR, kNoCacheId, std::move(path)),
      kind_(kind),
      stat_(stat),
      random_(std::move(random)) {}

int64_t DeviceInode::read(uint64_t, std::span<uint8_t> out) {
  switch (kind_) {
    case DeviceKind::kNull:
      return 0;
    case DeviceKind::kZero:
      std::fill(out.begin(), out.end(), uint8_t{0});
      return static_cast<int64_t>(out.size());
    case DeviceKind::kRandom:
    case DeviceKind::kUrandom:
      random_->fill(out);
      return static_cast<int64_t>(out.size());
    case DeviceKind::kTty:
      break;
  }
  return -ENXIO;
}

int64_t DeviceInode::write(uint64_t, std::span<const uint8_t> data) {
  // Writes to the memory devices are discarded (Linux also accepts writes to the random
  // devices, as entropy that it does not credit).
  if (kind_ == DeviceKind::kTty) return -ENXIO;
  return static_cast<int64_t>(data.size());
}

std::shared_ptr<OverlayDirectory> make_dev_directory(std::shared_ptr<OverlayState> state,
                                                     uint64_t random_seed,
                                                     const std::string& path) {
  auto dir = std::make_shared<OverlayDirectory>(state, kDevDirectoryMode, path, kDevfsDevice);
  auto random = std::make_shared<mmu::SplitMix64>(random_seed);
  for (const DeviceSpec& spec : kDevices) {
    FileStat st = new_overlay_stat(*state, kDeviceMode, kDevfsDevice);
    st.rdev = makedev(spec.major, spec.minor);
    dir->insert(spec.name,
                std::make_shared<DeviceInode>(spec.kind, st, random, join_path(path, spec.name)));
  }
  // What udev makes on Linux: the standard streams and /dev/fd name the caller's descriptors.
  for (const auto& [name, target] : kDescriptorLinks) {
    const std::string to = target;
    FileStat st = new_overlay_stat(*state, kDescriptorLinkMode, kDevfsDevice);
    st.size = static_cast<int64_t>(to.size());  // a symlink's size is its target's length
    dir->insert(name, std::make_shared<GeneratedSymlink>(
                          st, [to] { return to; }, join_path(path, name)));
  }
  return dir;
}

}  // namespace vmlab::os::vfs
