// The VMAs of one address space, ordered by start, like Linux's tree of vm_area_structs
// (mm/mmap.c): lookup, the free ranges mmap hands out, and the splits that mprotect, munmap,
// mremap and madvise make at the edges of a range. Page tables are not its business.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "os/vma.h"

namespace vmlab::os {

class VmaTree {
 public:
  const Vma* find(uint64_t va) const;
  Vma* find(uint64_t va);
  // First VMA that ends above va (Linux find_vma), or nullptr.
  const Vma* above(uint64_t va) const;
  const std::map<uint64_t, Vma>& all() const { return vmas_; }
  // Inserts a VMA that must not overlap an existing one (the caller unmaps first).
  Vma& insert(Vma vma);
  bool is_free(uint64_t start, uint64_t end) const;
  // The highest free gap of `length` bytes below the mmap base (top-down, like Linux; a
  // stack keeps its guard gap), or nullopt when the address space is full.
  std::optional<uint64_t> find_free_range(uint64_t length) const;

  // Splits the VMAs at `start` and `end` so that whole VMAs cover what is mapped of the range,
  // then calls fn on each of them, in address order.
  void update_range(uint64_t start, uint64_t end, const std::function<void(Vma&)>& fn);
  // Splits at `start` and `end` and removes every VMA in between.
  void erase_range(uint64_t start, uint64_t end);
  // Splits at `start` and `end` and takes out the VMA that then starts at `start` (mremap's
  // move); nullopt when nothing is mapped there.
  std::optional<Vma> extract(uint64_t start, uint64_t end);
  // The VMA that starts at `start`; throws std::logic_error when there is none.
  Vma& at(uint64_t start);
  void erase(uint64_t start) { vmas_.erase(start); }
  // Moves the start of the VMA at `start` to `new_start` (a stack growing down).
  void move_start(uint64_t start, uint64_t new_start);

 private:
  // Splits the VMA containing va in two at va (the upper half reads its file further on).
  void split_at(uint64_t va);

  std::map<uint64_t, Vma> vmas_;  // keyed by start
};

}  // namespace vmlab::os
