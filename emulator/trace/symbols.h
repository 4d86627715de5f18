// Function symbols of ELF files (.symtab, and .dynsym for stripped shared libraries), for
// "function+offset" in traces. A symbol is found from a position in the file, so one table
// serves every address at which any process maps that file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vmlab::emulator {

class Symbols {
 public:
  // Parses the bytes of an ELF file; anything else (or a file without symbols) gives none.
  static Symbols parse(std::string_view file);

  // "main+0x1a" for the code at `file_offset` in the file, or "" when no function contains it.
  std::string describe_offset(uint64_t file_offset) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t start;  // link-time virtual address
    uint64_t size;
    std::string name;
  };
  struct Segment {  // PT_LOAD: file offsets [offset, offset + size) hold addresses from vaddr
    uint64_t offset;
    uint64_t size;
    uint64_t vaddr;
  };
  std::vector<Entry> entries_;  // sorted by start, then name
  std::vector<Segment> segments_;
};

}  // namespace vmlab::emulator
