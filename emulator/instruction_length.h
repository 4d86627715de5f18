// Instruction boundaries of x86-64 code, decoded with Capstone.
#pragma once

#include <cstdint>
#include <span>

namespace vmlab::emulator {

// Number of whole instructions that start in [address, stop) within `code` (which begins at
// `address`). Used to retire exactly the instructions of a block that ran before a fault.
uint32_t count_instructions(std::span<const uint8_t> code, uint64_t address, uint64_t stop);

}  // namespace vmlab::emulator
