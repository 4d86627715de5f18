#include "emulator/instruction_counter.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "emulator/instruction_length.h"
#include "mmu/format.h"

namespace vmlab::emulator {

uint32_t InstructionCounter::decode(uint64_t key, uint64_t address, uint32_t size) {
  if (const BlockShapes::Shape* known = shapes_.find(key)) return known->count;
  std::vector<uint8_t> code(size);
  if (!read_(address, code))
    throw std::runtime_error("cannot read the block at " + mmu::hex(address));
  return shapes_.insert(key, instruction_offsets(code, address)).count;
}

uint64_t InstructionCounter::instruction_index(uint64_t address) const {
  const std::span<const uint32_t> starts = shapes_.offsets(*shapes_.find(current_));
  const auto before = static_cast<uint64_t>(
      std::lower_bound(starts.begin(), starts.end(), address - address_of(current_)) -
      starts.begin());
  return retired() - starts.size() + before;
}

void InstructionCounter::retire_partial(uint64_t rip) {
  // The block was counted whole when it started; only the instructions before `rip` retired.
  if (current_ == kNoBlock) return;
  const uint64_t address = address_of(current_);
  if (rip < address || rip >= address + size_of(current_)) return;
  const std::span<const uint32_t> starts = shapes_.offsets(*shapes_.find(current_));
  const auto done = static_cast<uint32_t>(
      std::lower_bound(starts.begin(), starts.end(), rip - address) - starts.begin());
  room_ += static_cast<int64_t>(starts.size() - done);
  current_ = kNoBlock;
}

}  // namespace vmlab::emulator
