#include "os/frame_allocator.h"

#include <stdexcept>
#include <string>

namespace vmlab::os {

FrameAllocator::FrameAllocator(mmu::PhysicalMemory& memory, uint64_t reserved_frames)
    : memory_(memory),
      table_(memory.first_pfn(), memory.frame_count()),
      // The buddy system covers all of RAM so that a block of order n is aligned to 2^n frames
      // in physical addresses too (a 2 MiB page needs a 2 MiB-aligned frame); the kernel's
      // frames are taken out of it.
      buddy_(memory.first_pfn(), memory.frame_count()),
      held_data_(memory.frame_count(), false) {
  if (reserved_frames + 1 >= memory.frame_count())
    throw std::invalid_argument("RAM of " + std::to_string(memory.frame_count()) +
                                " frames is too small for the kernel");
  for (uint64_t i = 0; i < reserved_frames; ++i) {
    buddy_.reserve(table_.pfn_at(i));
    table_[table_.pfn_at(i)].use = FrameUse::kKernel;
    ++in_use_[static_cast<size_t>(FrameUse::kKernel)];
  }
  auto zero = allocate(FrameUse::kZero);
  zero_ = *zero;
}

std::optional<mmu::Pfn> FrameAllocator::allocate(FrameUse use, unsigned order, Reclaim reclaim) {
  auto block = buddy_.allocate(order);
  if (!block && pressure_ != nullptr && reclaim == Reclaim::kYes) {
    pressure_->reclaim(uint64_t{1} << order);
    block = buddy_.allocate(order);
  }
  if (!block) return std::nullopt;
  ++allocations_;
  if (contents_listener_) contents_listener_(*block, uint64_t{1} << order);
  zero(*block, order);
  for (uint64_t i = 0; i < (uint64_t{1} << order); ++i) {
    Frame& f = table_[mmu::Pfn{block->value + i}];
    f = Frame{};
    f.use = use;
    f.refcount = 1;
    ++in_use_[static_cast<size_t>(use)];
    if (observer_ != nullptr) observer_->on_allocated(mmu::Pfn{block->value + i}, use);
  }
  return block;
}

void FrameAllocator::zero(mmu::Pfn first, unsigned order) {
  // RAM the host has never backed reads as zeros already (a fresh anonymous mapping): only
  // frames that held data before are cleared, so a first touch costs one host zero-fill, not two.
  const uint64_t count = uint64_t{1} << order;
  const uint64_t index = first.value - table_.first().value;
  for (uint64_t i = 0; i < count; ++i) {
    if (!held_data_[index + i]) {
      held_data_[index + i] = true;
      continue;
    }
    memory_.fill(mmu::Pfn{first.value + i}.address(), 0, mmu::kPageBytes);
  }
}

void FrameAllocator::put(mmu::Pfn pfn, unsigned order) {
  Frame& f = table_[pfn];
  if (f.refcount == 0)
    throw std::logic_error("reference count underflow on frame " + std::to_string(pfn.value));
  if (--f.refcount != 0) return;
  if (!f.rmap.empty())
    throw std::logic_error("frame " + std::to_string(pfn.value) + " freed while still mapped");
  ++releases_;
  for (uint64_t i = 0; i < (uint64_t{1} << order); ++i) {
    const mmu::Pfn each{pfn.value + i};
    const Frame state = table_[each];
    --in_use_[static_cast<size_t>(state.use)];
    table_[each] = Frame{};
    if (observer_ != nullptr) observer_->on_freed(each, state);
  }
  buddy_.free(pfn, order);
}

}  // namespace vmlab::os
