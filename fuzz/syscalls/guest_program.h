// The program every fuzzed process starts as (/init in the guest root). It is never executed,
// only mapped: its segments give system calls real memory to point at, in the places a libc
// program has it. .rodata holds ready-made arguments (paths, argv/envp arrays, structures)
// that the script can pass by index; .data/.bss is a writable scratch area.
#pragma once

#include <cstdint>
#include <vector>

namespace vmlab::fuzz {

struct GuestProgram {
  std::vector<uint8_t> elf;
  uint64_t text = 0;  // r-x: one page
  uint64_t text_bytes = 0;
  uint64_t scratch = 0;  // rw-: file-backed .data, then .bss
  uint64_t scratch_bytes = 0;
  std::vector<uint64_t> objects;  // addresses of the ready-made arguments in .rodata
};

const GuestProgram& guest_program();

}  // namespace vmlab::fuzz
