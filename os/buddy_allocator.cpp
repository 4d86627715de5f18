#include "os/buddy_allocator.h"

#include <stdexcept>

namespace vmlab::os {

BuddyAllocator::BuddyAllocator(mmu::Pfn first, uint64_t count)
    : first_(first), count_(count), free_order_(count, -1) {
  // Carve the range into the largest aligned blocks that fit.
  uint64_t i = 0;
  while (i < count) {
    unsigned order = kMaxOrder;
    while (order > 0 &&
           ((i & ((uint64_t{1} << order) - 1)) != 0 || i + (uint64_t{1} << order) > count))
      --order;
    insert_block(i, order);
    free_frames_ += uint64_t{1} << order;
    i += uint64_t{1} << order;
  }
}

void BuddyAllocator::insert_block(uint64_t index, unsigned order) {
  free_[order].insert(index);
  free_order_[index] = static_cast<int8_t>(order);
}

std::optional<mmu::Pfn> BuddyAllocator::allocate(unsigned order) {
  if (order > kMaxOrder) return std::nullopt;
  unsigned from = order;
  while (from <= kMaxOrder && free_[from].empty())
    ++from;
  if (from > kMaxOrder) return std::nullopt;
  const uint64_t block = *free_[from].begin();
  free_[from].erase(free_[from].begin());
  free_order_[block] = -1;
  // Split down to the requested order, returning the upper halves to the free lists.
  while (from > order) {
    --from;
    insert_block(block + (uint64_t{1} << from), from);
  }
  free_frames_ -= uint64_t{1} << order;
  return mmu::Pfn{first_.value + block};
}

void BuddyAllocator::free(mmu::Pfn pfn, unsigned order) {
  if (pfn.value < first_.value || index(pfn) + (uint64_t{1} << order) > count_ ||
      (index(pfn) & ((uint64_t{1} << order) - 1)) != 0)
    throw std::logic_error("freeing frame block " + std::to_string(pfn.value) + " of order " +
                           std::to_string(order) + " outside the allocator or misaligned");
  uint64_t block = index(pfn);
  for (uint64_t i = block; i < block + (uint64_t{1} << order); ++i)
    if (is_free(mmu::Pfn{first_.value + i}))
      throw std::logic_error("double free of frame " + std::to_string(first_.value + i));
  free_frames_ += uint64_t{1} << order;
  while (order < kMaxOrder) {
    const uint64_t buddy = block ^ (uint64_t{1} << order);
    if (buddy + (uint64_t{1} << order) > count_ || free_order_[buddy] != static_cast<int8_t>(order))
      break;
    free_[order].erase(buddy);
    free_order_[buddy] = -1;
    block = std::min(block, buddy);
    ++order;
  }
  insert_block(block, order);
}

bool BuddyAllocator::reserve(mmu::Pfn frame) {
  if (frame.value < first_.value || index(frame) >= count_) return false;
  const uint64_t target = index(frame);
  // Find the free block containing the frame, then split it around the frame.
  for (unsigned order = 0; order <= kMaxOrder; ++order) {
    const uint64_t start = target & ~((uint64_t{1} << order) - 1);
    if (free_order_[start] != static_cast<int8_t>(order)) continue;
    free_[order].erase(start);
    free_order_[start] = -1;
    uint64_t block = start;
    while (order > 0) {
      --order;
      const uint64_t half = uint64_t{1} << order;
      if (target >= block + half) {
        insert_block(block, order);
        block += half;
      } else {
        insert_block(block + half, order);
      }
    }
    --free_frames_;
    return true;
  }
  return false;
}

bool BuddyAllocator::is_free(mmu::Pfn frame) const {
  if (frame.value < first_.value || index(frame) >= count_) return false;
  const uint64_t target = index(frame);
  for (unsigned order = 0; order <= kMaxOrder; ++order) {
    const uint64_t start = target & ~((uint64_t{1} << order) - 1);
    if (free_order_[start] == static_cast<int8_t>(order)) return true;
  }
  return false;
}

std::array<uint64_t, BuddyAllocator::kOrders> BuddyAllocator::free_blocks() const {
  std::array<uint64_t, kOrders> out{};
  for (unsigned o = 0; o < kOrders; ++o)
    out[o] = free_[o].size();
  return out;
}

std::string BuddyAllocator::buddyinfo() const {
  std::string line = "Node 0, zone   Normal";
  for (auto n : free_blocks()) {
    std::string cell = std::to_string(n);
    line += std::string(cell.size() < 7 ? 7 - cell.size() : 1, ' ') + cell;
  }
  return line;
}

double BuddyAllocator::unusable_index(unsigned order) const {
  if (free_frames_ == 0) return 1.0;
  uint64_t usable = 0;
  for (unsigned o = order; o < kOrders; ++o)
    usable += free_[o].size() << o;
  return 1.0 - static_cast<double>(usable) / static_cast<double>(free_frames_);
}

}  // namespace vmlab::os
