// The kernel's physical page allocator: the buddy system for free blocks, the frame table for
// pages in use (reference counts, reverse map), and the shared zero page.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "mmu/physical_memory.h"
#include "os/buddy_allocator.h"
#include "os/frame_table.h"

namespace vmlab::os {

// Frees memory when an allocation would fail (page reclaim). Returns frames freed.
class MemoryPressureHandler {
 public:
  virtual ~MemoryPressureHandler() = default;
  virtual uint64_t reclaim(uint64_t wanted_frames) = 0;
};

// Told when frames start and stop holding pages (the replacement policy's view of memory).
class FrameObserver {
 public:
  virtual ~FrameObserver() = default;
  virtual void on_allocated(mmu::Pfn frame, FrameUse use) = 0;
  virtual void on_freed(mmu::Pfn frame, const Frame& state) = 0;
};

class FrameAllocator {
 public:
  // The first `reserved_frames` frames of RAM belong to the kernel and are never handed out;
  // the frame right after them becomes the shared zero page.
  FrameAllocator(mmu::PhysicalMemory& memory, uint64_t reserved_frames);

  // A zero-filled block of 2^order frames with refcount 1, or nullopt when memory is exhausted
  // even after reclaim (or at once, with Reclaim::kNo: huge pages are only opportunistic).
  enum class Reclaim : uint8_t { kYes, kNo };
  std::optional<mmu::Pfn> allocate(FrameUse use, unsigned order = 0,
                                   Reclaim reclaim = Reclaim::kYes);
  void get(mmu::Pfn pfn) { ++table_[pfn].refcount; }
  // Drops one reference; the frame returns to the buddy allocator when none remain.
  void put(mmu::Pfn pfn, unsigned order = 0);

  Frame& frame(mmu::Pfn pfn) { return table_[pfn]; }
  const Frame& frame(mmu::Pfn pfn) const { return table_[pfn]; }
  bool is_ram(mmu::Pfn pfn) const { return table_.contains(pfn); }
  mmu::Pfn zero_frame() const { return zero_; }
  mmu::PhysicalMemory& memory() { return memory_; }
  BuddyAllocator& buddy() { return buddy_; }
  const BuddyAllocator& buddy() const { return buddy_; }
  FrameTable& table() { return table_; }
  const FrameTable& table() const { return table_; }
  uint64_t free_frames() const { return buddy_.free_frames(); }
  uint64_t total_frames() const { return table_.size(); }
  void set_pressure_handler(MemoryPressureHandler* handler) { pressure_ = handler; }
  void set_observer(FrameObserver* observer) { observer_ = observer; }
  // Called with frames about to get new contents from the kernel (an allocation zero-fills
  // them; a system call writes into user memory): the CPU drops whatever it translated from
  // them when they held code, since it only notices the guest's own stores.
  void set_contents_listener(std::function<void(mmu::Pfn first, uint64_t frames)> listener) {
    contents_listener_ = std::move(listener);
  }
  // The kernel is about to write into `frame` (user memory through a system call).
  void writing(mmu::Pfn frame) {
    if (contents_listener_) contents_listener_(frame, 1);
  }

  uint64_t allocations() const { return allocations_; }
  uint64_t releases() const { return releases_; }
  // Frames allocated for `use` right now (kept as frames come and go, for samplers).
  uint64_t in_use(FrameUse use) const { return in_use_[static_cast<size_t>(use)]; }

 private:
  void zero(mmu::Pfn first, unsigned order);

  mmu::PhysicalMemory& memory_;
  FrameTable table_;
  BuddyAllocator buddy_;
  std::vector<bool> held_data_;  // per frame: allocated before (its bytes may not be zero)
  mmu::Pfn zero_;
  MemoryPressureHandler* pressure_ = nullptr;
  FrameObserver* observer_ = nullptr;
  std::function<void(mmu::Pfn, uint64_t)> contents_listener_;
  uint64_t allocations_ = 0;
  uint64_t releases_ = 0;
  std::array<uint64_t, kFrameUses> in_use_{};
};

}  // namespace vmlab::os
