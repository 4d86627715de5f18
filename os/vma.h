// A virtual memory area: one contiguous range of a process's address space with one set of
// rights and one backing (anonymous memory or a window of a file), like Linux's vm_area_struct.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "mmu/address.h"

namespace vmlab::os {

namespace vfs {
class Inode;
}

// Linux PROT_* values, so mmap/mprotect arguments pass straight through.
namespace prot {
inline constexpr uint32_t kNone = 0;
inline constexpr uint32_t kRead = 1;
inline constexpr uint32_t kWrite = 2;
inline constexpr uint32_t kExec = 4;
}  // namespace prot

enum class VmaKind : uint8_t { kAnonymous, kFile };
enum class Sharing : uint8_t { kPrivate, kShared };

struct Vma {
  uint64_t start = 0;  // page aligned
  uint64_t end = 0;    // page aligned, exclusive
  uint32_t prot = prot::kNone;
  VmaKind kind = VmaKind::kAnonymous;
  Sharing sharing = Sharing::kPrivate;
  bool grows_down = false;          // the stack: faults just below it extend it
  bool is_heap = false;             // the brk area
  bool huge_advised = false;        // madvise(MADV_HUGEPAGE)
  bool file_sigbus_beyond = false;  // mmap of a file: pages wholly past EOF raise SIGBUS
  std::shared_ptr<vfs::Inode> file;
  uint64_t file_offset = 0;  // file offset of `start`
  // Bytes of file content behind the mapping starting at file_offset; the rest of the area
  // reads as zeros (an ELF segment whose memsz exceeds filesz).
  uint64_t file_bytes = 0;
  std::string name;  // "[heap]", "[stack]", a path, or empty

  uint64_t pages() const { return (end - start) >> mmu::kPageShift; }
  bool contains(uint64_t va) const { return va >= start && va < end; }
  bool readable() const { return prot & prot::kRead; }
  bool writable() const { return prot & prot::kWrite; }
  bool executable() const { return prot & prot::kExec; }
  // Shared anonymous memory (Linux's shmem): its frames are its only home, and it is no
  // anonymous page for RSS or pagemap.
  bool is_shmem() const { return kind == VmaKind::kAnonymous && sharing == Sharing::kShared; }
  // The file offset that backs virtual address va (file mappings only).
  uint64_t file_offset_of(uint64_t va) const { return file_offset + (va - start); }
};

}  // namespace vmlab::os
