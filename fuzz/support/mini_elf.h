// Builds small static x86-64 ELF executables in memory: the program the syscall fuzzer's
// processes run (it is never executed, only mapped), with segments laid out as a linker would.
#pragma once

#include <cstdint>
#include <vector>

namespace vmlab::fuzz {

struct MiniSegment {
  uint64_t vaddr = 0;
  uint32_t flags = 0;          // PF_R | PF_W | PF_X
  std::vector<uint8_t> bytes;  // file contents (filesz)
  uint64_t memsz = 0;          // >= bytes.size(); the rest is zero (.bss)
};

// An ET_EXEC image entering at `entry`, with one PT_LOAD per segment. Each segment's file
// offset is congruent to its address modulo the page size, as execve requires.
std::vector<uint8_t> build_static_elf(uint64_t entry, const std::vector<MiniSegment>& segments);

}  // namespace vmlab::fuzz
