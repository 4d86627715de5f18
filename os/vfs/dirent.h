// Encoding directory entries as Linux struct linux_dirent64 records for getdents64(2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "os/vfs/inode.h"

namespace vmlab::os::vfs {

// struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }:
// the name (NUL-terminated) starts at byte 19 and each record is padded to 8 bytes.
inline constexpr size_t kDirentInoOffset = 0;
inline constexpr size_t kDirentOffOffset = 8;
inline constexpr size_t kDirentReclenOffset = 16;
inline constexpr size_t kDirentTypeOffset = 18;
inline constexpr size_t kDirentNameOffset = 19;
inline constexpr size_t kDirentAlignment = 8;

// The record length of an entry named `name_length` bytes.
size_t dirent_record_length(size_t name_length);

struct DirentBatch {
  int64_t bytes = 0;  // bytes written, or -EINVAL when not even the first record fits
  size_t next = 0;    // index of the first entry not written
};

// Writes entries[first...] while they fit. Each record's d_off is the index of the entry after
// it: the position a later lseek(fd, d_off, SEEK_SET) resumes from.
DirentBatch encode_dirents(std::span<const DirEntry> entries, size_t first,
                           std::span<uint8_t> buffer);

}  // namespace vmlab::os::vfs
