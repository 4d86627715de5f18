// Instruction boundaries of x86-64 code, decoded with Capstone.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace vmlab::emulator {

// Offsets (from `address`, where `code` begins) at which each whole instruction of `code`
// starts: a block's instruction count, and how many retired before a given address.
std::vector<uint32_t> instruction_offsets(std::span<const uint8_t> code, uint64_t address);

}  // namespace vmlab::emulator
