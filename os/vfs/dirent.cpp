#include "os/vfs/dirent.h"

#include <dirent.h>

#include <bit>
#include <cerrno>
#include <cstring>

namespace vmlab::os::vfs {

// glibc's struct dirent64 has the kernel's linux_dirent64 layout; check our constants by it.
static_assert(offsetof(struct dirent64, d_ino) == kDirentInoOffset);
static_assert(offsetof(struct dirent64, d_off) == kDirentOffOffset);
static_assert(offsetof(struct dirent64, d_reclen) == kDirentReclenOffset);
static_assert(offsetof(struct dirent64, d_type) == kDirentTypeOffset);
static_assert(offsetof(struct dirent64, d_name) == kDirentNameOffset);
// Records are copied byte for byte to an x86-64 (little-endian) guest.
static_assert(std::endian::native == std::endian::little);

size_t dirent_record_length(size_t name_length) {
  const size_t unpadded = kDirentNameOffset + name_length + 1;  // + the terminating NUL
  return (unpadded + kDirentAlignment - 1) / kDirentAlignment * kDirentAlignment;
}

DirentBatch encode_dirents(std::span<const DirEntry> entries, size_t first,
                           std::span<uint8_t> buffer) {
  DirentBatch out{0, first};
  size_t used = 0;
  for (; out.next < entries.size(); ++out.next) {
    const DirEntry& entry = entries[out.next];
    const size_t length = dirent_record_length(entry.name.size());
    if (length > buffer.size() - used) break;
    uint8_t* record = buffer.data() + used;
    std::memset(record, 0, length);  // padding bytes are zero, not leftover guest data
    const uint64_t ino = entry.ino;
    const int64_t next_offset = static_cast<int64_t>(out.next + 1);
    const uint16_t reclen = static_cast<uint16_t>(length);
    std::memcpy(record + kDirentInoOffset, &ino, sizeof ino);
    std::memcpy(record + kDirentOffOffset, &next_offset, sizeof next_offset);
    std::memcpy(record + kDirentReclenOffset, &reclen, sizeof reclen);
    record[kDirentTypeOffset] = entry.type;
    std::memcpy(record + kDirentNameOffset, entry.name.data(), entry.name.size());
    used += length;
  }
  if (used == 0 && out.next < entries.size()) return {-EINVAL, first};
  out.bytes = static_cast<int64_t>(used);
  return out;
}

}  // namespace vmlab::os::vfs
