// What a range of a process's address space costs in memory, counted as Linux's
// /proc/PID/smaps counts it (fs/proc/task_mmu.c, smaps_account): a frame mapped by N page
// table entries is shared and contributes 1/N of its size to each mapper's PSS. The zero page
// is nobody's (it is not in RSS); swapped-out pages count as Swap.
#pragma once

#include <cstdint>

namespace vmlab::os {

class AddressSpace;
class FrameAllocator;

struct MemoryUsage {
  // PSS keeps 12 fractional bits (Linux's PSS_SHIFT), so sums of 1/N shares stay exact.
  static constexpr unsigned kPssShift = 12;

  // Bytes.
  uint64_t rss = 0;
  uint64_t shared_clean = 0, shared_dirty = 0;
  uint64_t private_clean = 0, private_dirty = 0;
  uint64_t referenced = 0;  // Accessed bit set in the entry
  uint64_t anonymous = 0;   // frames of anonymous memory (including private copies of files)
  uint64_t anon_huge = 0;   // of which in 2 MiB pages
  uint64_t swap = 0;
  // Bytes << kPssShift.
  uint64_t pss_shifted = 0, pss_dirty_shifted = 0, pss_anon_shifted = 0, pss_file_shifted = 0;

  uint64_t pss() const { return pss_shifted >> kPssShift; }
  uint64_t pss_dirty() const { return pss_dirty_shifted >> kPssShift; }
  uint64_t pss_anon() const { return pss_anon_shifted >> kPssShift; }
  uint64_t pss_file() const { return pss_file_shifted >> kPssShift; }
  MemoryUsage& operator+=(const MemoryUsage& other);
};

// The usage of [start, end) of `space`.
MemoryUsage memory_usage(const FrameAllocator& frames, const AddressSpace& space, uint64_t start,
                         uint64_t end);
// The usage of every area of `space`.
MemoryUsage memory_usage(const FrameAllocator& frames, const AddressSpace& space);

}  // namespace vmlab::os
