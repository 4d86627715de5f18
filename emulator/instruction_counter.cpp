#include "emulator/instruction_counter.h"

#include <stdexcept>
#include <vector>

#include "emulator/instruction_length.h"
#include "mmu/format.h"

namespace vmlab::emulator {

uint32_t InstructionCounter::decode(uint64_t key, uint64_t address, uint32_t size) {
  auto it = counts_.find(key);
  uint32_t n;
  if (it != counts_.end()) {
    n = it->second;
  } else {
    std::vector<uint8_t> code(size);
    if (!read_(address, code))
      throw std::runtime_error("cannot read the block at " + mmu::hex(address));
    n = count_instructions(code, address, address + size);
    counts_.emplace(key, n);
  }
  cache_[slot(key)] = CachedCount{key, n};
  return n;
}

void InstructionCounter::retire_partial(uint64_t rip) {
  // The block was counted whole when it started; only the instructions before `rip` retired.
  if (current_.size == 0 || rip < current_.address || rip >= current_.address + current_.size)
    return;
  std::vector<uint8_t> code(current_.size);
  if (!read_(current_.address, code))
    throw std::runtime_error("cannot read the block at " + mmu::hex(current_.address));
  const uint32_t done = count_instructions(code, current_.address, rip);
  retired_ -= current_.instructions - done;
  current_ = Block{rip, 0, 0};
}

}  // namespace vmlab::emulator
