// Reading and validating an x86-64 ELF executable (ET_EXEC or ET_DYN, static or with a
// PT_INTERP naming its dynamic loader), or a shared object loaded as an interpreter.
// Every malformation gets one specific message; nothing here trusts the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "os/result.h"

namespace vmlab::os {

namespace vfs {
class Inode;
}

struct ElfSegment {
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  uint64_t offset = 0;
  uint64_t filesz = 0;
  uint32_t prot = 0;  // PROT_* from p_flags
};

struct ElfImage {
  bool position_independent = false;  // ET_DYN: loaded at layout::kDynamicBase
  uint64_t entry = 0;                 // e_entry (before adding the load bias)
  uint64_t phdr_vaddr = 0;            // where the program headers are mapped (before bias)
  uint16_t phentsize = 0;
  uint16_t phnum = 0;
  std::vector<ElfSegment> loads;  // PT_LOAD, ascending vaddr
  std::string interpreter;        // PT_INTERP: the dynamic loader's path; empty when static
  std::string symbols_hint;       // for errors: the file name

  // Bytes from the first segment's page to the end of the last: what a load bias must place.
  uint64_t span() const;
};

// Parses and validates the headers of `file` (size `file_size`). A refusal is execve's errno
// (ENOEXEC, EIO) with one line, e.g. "not an ELF file (bad magic)".
Result<ElfImage, ErrnoMessage> read_elf(vfs::Inode& file, uint64_t file_size);

}  // namespace vmlab::os
