// Memory system calls: brk, mmap, munmap, mprotect, mremap, madvise, msync, mincore.
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>

#include "os/kernel.h"
#include "os/residency.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kPageMask = mmu::kPageOffsetMask;
constexpr uint64_t kKnownProt = PROT_READ | PROT_WRITE | PROT_EXEC;

uint64_t page_up(uint64_t v) {
  return (v + kPageMask) & ~kPageMask;
}

// Drops translated code of executable areas that are going away or changing (the next code
// at these addresses may differ).
void forget_code(Process& process, uint64_t start, uint64_t end) {
  for (const auto& [vstart, vma] : process.space().vmas()) {
    if (vma.end <= start || vma.start >= end || !vma.executable()) continue;
    process.cpu().code_changed(std::max(start, vma.start), std::min(end, vma.end));
  }
}

// Linux's brk refuses to grow the heap closer than one page to the next mapping (and than the
// guard gap to a stack).
bool heap_can_grow(const AddressSpace& space, uint64_t old_end, uint64_t new_end) {
  if (!space.range_is_usable(old_end, new_end)) return false;
  const Vma* next = space.vma_above(old_end);
  if (next == nullptr) return true;
  const uint64_t gap = next->grows_down ? layout::kStackGuardGap : 0;
  const uint64_t next_start = next->start > gap ? next->start - gap : 0;
  return new_end + mmu::kPageBytes <= next_start;
}

// Like do_brk_flags: the pages past the old break are fresh read-write anonymous memory. They
// extend the heap VMA that ends at the old break when it still is plain heap, else they are a
// VMA of their own: pages at or below the old break may belong to a MAP_FIXED mapping with
// other rights (musl's malloc puts a PROT_NONE guard page at the start of the heap).
void grow_heap(AddressSpace& space, uint64_t old_end, uint64_t new_end) {
  constexpr uint32_t kHeapProt = prot::kRead | prot::kWrite;
  const Vma* below = space.find_vma(old_end - 1);
  if (below != nullptr && below->is_heap && below->end == old_end && below->prot == kHeapProt &&
      !below->huge_advised) {
    space.resize_vma(below->start, new_end);
    return;
  }
  Vma v;
  v.start = old_end;
  v.end = new_end;
  v.prot = kHeapProt;
  v.is_heap = true;
  v.name = "[heap]";
  space.insert_vma(std::move(v));
}

int64_t sys_brk(SyscallContext& c) {
  Process& p = c.kernel.leader_of(c.process);  // the heap is the process's
  AddressSpace& space = c.process.space();
  const uint64_t requested = c.arg(0);
  if (requested < p.brk_start) return static_cast<int64_t>(p.brk);
  const uint64_t old_end = page_up(p.brk);
  const uint64_t new_end = page_up(requested);
  if (new_end > old_end) {
    if (!heap_can_grow(space, old_end, new_end)) return static_cast<int64_t>(p.brk);
    grow_heap(space, old_end, new_end);
  } else if (new_end < old_end) {
    // Shrinking unmaps whatever lies between the two breaks; with nothing there, Linux
    // refuses.
    if (space.range_is_free(new_end, old_end)) return static_cast<int64_t>(p.brk);
    forget_code(c.process, new_end, old_end);
    space.unmap_range(new_end, old_end);
  }
  p.brk = requested;
  return static_cast<int64_t>(p.brk);
}

// The file part of an mmap: `v` maps `fd` from `offset`, if its open file allows it.
Result<void> map_file(Process& p, int fd, uint64_t offset, uint64_t size, uint32_t protection,
                      Vma& v) {
  auto file = p.fds().get(fd);
  if (!file) return Errno(EBADF);
  const auto inode = file->inode();
  if (!inode || inode->is_directory() || S_ISFIFO(inode->type())) return Errno(ENODEV);
  const int access = file->flags() & O_ACCMODE;
  if (access == O_WRONLY) return Errno(EACCES);
  if (v.sharing == Sharing::kShared && (protection & PROT_WRITE) && access != O_RDWR)
    return Errno(EACCES);
  const uint64_t file_size = static_cast<uint64_t>(inode->stat().size);
  v.kind = VmaKind::kFile;
  v.file = inode;
  v.file_offset = offset;
  v.file_bytes = file_size > offset ? std::min(file_size - offset, size) : 0;
  v.file_sigbus_beyond = true;
  v.name = inode->path();
  return {};
}

// Where an mmap of `size` bytes goes: at `addr` with MAP_FIXED (replacing what is there unless
// MAP_FIXED_NOREPLACE), at the hint when it is free, else where mmap(NULL) would put it.
Result<uint64_t> place_mapping(Process& p, uint64_t addr, uint64_t size, uint32_t flags) {
  AddressSpace& space = p.space();
  const bool fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
  if (fixed) {
    if ((addr & kPageMask) != 0) return Errno(EINVAL);
    if (!space.range_is_usable(addr, addr + size)) return Errno(ENOMEM);
    if (!space.range_is_free(addr, addr + size)) {
      if ((flags & MAP_FIXED_NOREPLACE) != 0) return Errno(EEXIST);
      forget_code(p, addr, addr + size);
      space.unmap_range(addr, addr + size);
    }
    return addr;
  }
  if (addr != 0 && (addr & kPageMask) == 0 && space.range_is_usable(addr, addr + size) &&
      space.range_is_free(addr, addr + size))
    return addr;  // the hint is free: take it
  const auto found = space.find_free_range(size);
  if (!found) return Errno(ENOMEM);
  return *found;
}

int64_t sys_mmap(SyscallContext& c) {
  Process& p = c.process;
  const uint64_t addr = c.arg(0), length = c.arg(1), offset = c.arg(5);
  const uint32_t protection = static_cast<uint32_t>(c.arg(2));
  const uint32_t flags = static_cast<uint32_t>(c.arg(3));
  if (length == 0 || (offset & kPageMask) != 0) return -EINVAL;
  if ((protection & ~kKnownProt) != 0) return -EINVAL;
  const uint32_t type = flags & MAP_TYPE;
  if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE) return -EINVAL;
  if ((flags & MAP_HUGETLB) != 0) return -ENOMEM;  // no hugetlbfs pages reserved
  const uint64_t size = page_up(length);
  if (size < length || size > layout::kUserTop) return -ENOMEM;

  Vma v;
  v.prot = protection;
  v.sharing = type == MAP_PRIVATE ? Sharing::kPrivate : Sharing::kShared;
  v.grows_down = (flags & MAP_GROWSDOWN) != 0;
  if ((flags & MAP_ANONYMOUS) == 0) {
    const auto file = map_file(p, c.int_arg(4), offset, size, protection, v);
    if (!file) return file.error().syscall_return();
  }
  const auto start = place_mapping(p, addr, size, flags);
  if (!start) return start.error().syscall_return();
  v.start = *start;
  v.end = *start + size;
  p.space().insert_vma(std::move(v));
  return static_cast<int64_t>(*start);
}

int64_t sys_munmap(SyscallContext& c) {
  const uint64_t addr = c.arg(0), length = c.arg(1);
  if ((addr & kPageMask) != 0 || length == 0) return -EINVAL;
  const uint64_t end = page_up(addr + length);
  if (end < addr || end > layout::kUserTop) return -EINVAL;
  forget_code(c.process, addr, end);
  c.process.space().unmap_range(addr, end);
  return 0;
}

int64_t sys_mprotect(SyscallContext& c) {
  const uint64_t addr = c.arg(0), length = c.arg(1);
  const uint32_t protection = static_cast<uint32_t>(c.arg(2)) & ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if ((addr & kPageMask) != 0 || (protection & ~kKnownProt) != 0) return -EINVAL;
  if (length == 0) return 0;
  const uint64_t end = page_up(addr + length);
  if (end < addr) return -ENOMEM;
  AddressSpace& space = c.process.space();
  // Shared writable file mappings need a file opened for writing: checked at mmap time; here
  // only the range must be mapped.
  for (uint64_t va = addr; va < end;) {
    const Vma* v = space.find_vma(va);
    if (v == nullptr) return -ENOMEM;
    va = v->end;
  }
  if (protection & PROT_EXEC) forget_code(c.process, addr, end);
  space.protect_range(addr, end, protection);
  return 0;
}

int64_t sys_mremap(SyscallContext& c) {
  AddressSpace& space = c.process.space();
  const uint64_t old_addr = c.arg(0), old_size = page_up(c.arg(1)), new_size = page_up(c.arg(2));
  const uint32_t flags = static_cast<uint32_t>(c.arg(3));
  const uint64_t new_addr = c.arg(4);
  if ((old_addr & kPageMask) != 0 || new_size == 0) return -EINVAL;
  if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) != 0) return -EINVAL;
  if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) return -EINVAL;
  const Vma* v = space.find_vma(old_addr);
  if (v == nullptr || old_addr + old_size > v->end || old_size == 0) return -EFAULT;
  if ((flags & MREMAP_FIXED) == 0) {
    if (new_size <= old_size) {
      if (new_size < old_size) space.unmap_range(old_addr + new_size, old_addr + old_size);
      return static_cast<int64_t>(old_addr);
    }
    // Grow in place when the area ends the VMA and the space after it is free.
    if (old_addr + old_size == v->end && space.range_is_usable(v->end, old_addr + new_size) &&
        space.range_is_free(v->end, old_addr + new_size)) {
      space.resize_vma(v->start, old_addr + new_size);
      return static_cast<int64_t>(old_addr);
    }
    if ((flags & MREMAP_MAYMOVE) == 0) return -ENOMEM;
  }
  uint64_t target;
  if ((flags & MREMAP_FIXED) != 0) {
    if ((new_addr & kPageMask) != 0 || !space.range_is_usable(new_addr, new_addr + new_size))
      return -EINVAL;
    if (new_addr < old_addr + old_size && old_addr < new_addr + new_size) return -EINVAL;
    space.unmap_range(new_addr, new_addr + new_size);
    target = new_addr;
  } else {
    const auto found = space.find_free_range(new_size);
    if (!found) return -ENOMEM;
    target = *found;
  }
  if (!space.move_range(old_addr, old_size, target, new_size)) return -ENOMEM;
  return static_cast<int64_t>(target);
}

int64_t sys_madvise(SyscallContext& c) {
  const uint64_t addr = c.arg(0), length = c.arg(1);
  const int advice = c.int_arg(2);
  if ((addr & kPageMask) != 0) return -EINVAL;
  const uint64_t end = page_up(addr + length);
  AddressSpace& space = c.process.space();
  for (uint64_t va = addr; va < end;) {
    const Vma* v = space.find_vma(va);
    if (v == nullptr) return -ENOMEM;
    va = v->end;
  }
  switch (advice) {
    case MADV_DONTNEED:
    case MADV_FREE:
      // Private pages are dropped: the next touch sees zeros (or the file) again.
      space.discard_range(addr, end);
      return 0;
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
      space.set_huge_advice(addr, end, advice == MADV_HUGEPAGE);
      return 0;
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
      return 0;  // advice the model has no use for
    default:
      return -EINVAL;
  }
}

// Shared file pages in the range go back to their files (the overlay copy).
int64_t sys_msync(SyscallContext& c) {
  const uint64_t start = c.arg(0), length = c.arg(1);
  const int flags = c.int_arg(2);
  if ((start & kPageMask) != 0 || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) != 0 ||
      ((flags & MS_ASYNC) && (flags & MS_SYNC)))
    return -EINVAL;
  const uint64_t end = start + ((length + kPageMask) & ~kPageMask);
  if (end < start) return -ENOMEM;
  AddressSpace& space = c.process.space();
  int64_t result = 0;
  for (uint64_t va = start; va < end;) {
    const Vma* vma = space.find_vma(va);
    if (vma == nullptr || vma->start > va) {
      result = -ENOMEM;  // a hole in the range; what follows is still synced
      const Vma* next = space.vma_above(va);
      if (next == nullptr) break;
      va = next->start;
      continue;
    }
    const uint64_t to = std::min(end, vma->end);
    if (vma->kind == VmaKind::kFile && vma->sharing == Sharing::kShared)
      c.kernel.page_cache().write_back(*vma->file, vma->file_offset_of(va), to - va);
    va = to;
  }
  return result;
}

int64_t sys_mincore(SyscallContext& c) {
  const uint64_t addr = c.arg(0), length = c.arg(1), vec = c.arg(2);
  if ((addr & kPageMask) != 0) return -EINVAL;
  const AddressSpace& space = c.process.space();
  const uint64_t end = addr + ((length + kPageMask) & ~kPageMask);
  if (end < addr) return -ENOMEM;
  for (uint64_t va = addr; va < end;) {
    const Vma* vma = space.find_vma(va);
    if (vma == nullptr) return -ENOMEM;
    va = vma->end;
  }
  const std::vector<uint8_t> out =
      in_core(c.kernel.frames(), c.kernel.reclaim().swap(), space, addr, end);
  return c.user().write(vec, out) ? 0 : -EFAULT;
}

}  // namespace

void register_memory_syscalls(SyscallTable& table) {
  table.add(SYS_brk, sys_brk);
  table.add(SYS_mmap, sys_mmap);
  table.add(SYS_munmap, sys_munmap);
  table.add(SYS_mprotect, sys_mprotect);
  table.add(SYS_mremap, sys_mremap);
  table.add(SYS_madvise, sys_madvise);
  table.add(SYS_msync, sys_msync);
  table.add(SYS_mincore, sys_mincore);
}

}  // namespace vmlab::os
