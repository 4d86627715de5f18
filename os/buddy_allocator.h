// Physical frame allocator: a binary buddy system over orders 0..10 (4 KiB .. 4 MiB blocks),
// as in Linux's mm/page_alloc.c. Free blocks of each order are kept sorted by address and the
// lowest is handed out first, so consecutive allocations come out physically contiguous (and
// the host backs few, dense pages of RAM) and every run is deterministic.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mmu/address.h"

namespace vmlab::os {

class BuddyAllocator {
 public:
  static constexpr unsigned kMaxOrder = 10;
  static constexpr unsigned kOrders = kMaxOrder + 1;

  // Manages the frames [first, first + count). Every frame starts free.
  BuddyAllocator(mmu::Pfn first, uint64_t count);

  // Allocates 2^order contiguous frames aligned to their size; nullopt when no block is free.
  std::optional<mmu::Pfn> allocate(unsigned order = 0);
  // Returns a block; merges it with its buddy as far as possible. Throws std::logic_error on a
  // double free or a block that was not allocated with this order.
  void free(mmu::Pfn block, unsigned order = 0);
  // Takes one specific free frame out of the free lists (boot-time reservations).
  bool reserve(mmu::Pfn frame);

  uint64_t free_frames() const { return free_frames_; }
  uint64_t total_frames() const { return count_; }
  // Free blocks per order, like a line of /proc/buddyinfo.
  std::array<uint64_t, kOrders> free_blocks() const;
  std::string buddyinfo() const;
  // Share of free memory not usable for an allocation of `order`: 1 - free frames in blocks of
  // at least that order / all free frames (Linux's unusable free space index).
  double unusable_index(unsigned order) const;
  bool is_free(mmu::Pfn frame) const;

 private:
  uint64_t index(mmu::Pfn pfn) const { return pfn.value - first_.value; }
  void insert_block(uint64_t index, unsigned order);

  mmu::Pfn first_;
  uint64_t count_;
  uint64_t free_frames_ = 0;
  std::array<std::set<uint64_t>, kOrders> free_;  // block start indices (relative to first_)
  std::vector<int8_t> free_order_;                // order of the free block starting here, or -1
};

}  // namespace vmlab::os
